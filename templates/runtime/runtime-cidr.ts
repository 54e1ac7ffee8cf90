// IP ranges (CIDR) with node:net's `BlockList`. An IPv4 range also matches the
// IPv4-mapped IPv6 form of its addresses (`::ffff:10.1.2.3`, what a dual-stack socket
// reports for an IPv4 peer), which `BlockList` matches only when asked as IPv6: so an
// address is asked in both its forms. A malformed range throws where the list is
// built: never a silent non-match. Uses node:net (Node, Deno, Bun, Workers with
// `nodejs_compat`); `cidrMatcher` also serves as a `trustProxy` predicate.
import { BlockList, isIP } from 'node:net';

const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `10.0.0.0/8`, `2001:db8::/32`, or one address (a /32 or /128). Throws a TypeError for anything else. */
function addRange(list: BlockList, range: string): void {
  if (typeof range !== 'string') throw new TypeError(`IP range ${JSON.stringify(range)} is not a string`);
  const slash = range.indexOf('/');
  const address = slash === -1 ? range : range.slice(0, slash);
  const family = isIP(address);
  if (family === 0) throw new TypeError(`IP range ${JSON.stringify(range)}: ${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  if (slash === -1) {
    list.addAddress(address, type);
    return;
  }
  const bits = range.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) throw new TypeError(`IP range ${JSON.stringify(range)}: the prefix length must be 0 to ${max}`);
  list.addSubnet(address, Number(bits), type);
}

/** A predicate over addresses for a list of ranges; throws on a malformed range. */
export function cidrMatcher(ranges: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const range of ranges) addRange(list, range);
  return (address) => {
    if (typeof address !== 'string') return false;
    const family = isIP(address);
    if (family === 0) return false;
    if (family === 4) return list.check(address, 'ipv4') || list.check(`::ffff:${address}`, 'ipv6');
    const mapped = MAPPED.exec(address);
    return list.check(address, 'ipv6') || (mapped !== null && list.check(mapped[1] as string, 'ipv4'));
  };
}
