// The restrictions `codegen keys new` writes into a record, checked as the runtime will
// read them (runtime-cidr.ts, runtime-key-verifier.ts): an IP range the runtime would
// refuse, or an origin it could not parse, is a usage error here rather than a record
// that fails where it is loaded.
import { BlockList, isIP } from 'node:net';
import { KeysError } from './errors.js';

/** Why `range` is not an IPv4/IPv6 address or CIDR range, or undefined when it is one. */
export function ipRangeProblem(range: string): string | undefined {
  const slash = range.indexOf('/');
  const address = slash === -1 ? range : range.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `${JSON.stringify(address)} is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (slash === -1) return undefined;
  const bits = range.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `the prefix length must be 0 to ${max}`;
  try {
    new BlockList().addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

export function checkIpRange(range: string): string {
  const problem = ipRangeProblem(range);
  if (problem !== undefined) throw new KeysError(`--ip ${JSON.stringify(range)}: ${problem} (write 10.0.0.0/8, 2001:db8::/32 or one address)`);
  return range;
}

/** Why `text` is not an http(s) origin, or undefined when `new URL(text).origin` is one. */
export function originProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not http or https';
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return 'an origin has no user, path, query or fragment';
  return undefined;
}

/** The origin as the verifier compares it (`https://shop.example`, default port dropped). */
export function checkOrigin(text: string): string {
  const problem = originProblem(text);
  if (problem !== undefined) throw new KeysError(`--origin ${JSON.stringify(text)}: ${problem} (write https://shop.example)`);
  return new URL(text).origin;
}

const APP_ID = /^[\x21-\x7e]{1,128}$/;

/** App IDs the verifier's `appId` accepts: printable ASCII without spaces, 1 to 128 characters. */
export function checkAppId(app: string): string {
  if (!APP_ID.test(app)) throw new KeysError(`--app ${JSON.stringify(app)}: an App ID is 1 to 128 printable ASCII characters without spaces`);
  return app;
}

/** A non-empty name (client id, scope, operation id). */
export function checkName(value: string, flag: string): string {
  if (value.trim() === '' || value !== value.trim()) throw new KeysError(`${flag} ${JSON.stringify(value)}: must be non-empty, without leading or trailing spaces`);
  return value;
}
