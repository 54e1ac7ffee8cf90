// The client's address for IP restrictions. By default it is the socket's peer: a
// header can never change it. Only an explicit `trustProxy` reads the forwarding
// header the proxies in front of the server append (`X-Forwarded-For`, or RFC 7239
// `Forwarded` with `proxyHeader: 'forwarded'`): walking from the socket towards the
// client, each hop that is a trusted proxy (a hop count, or a predicate such as a
// `cidrMatcher` of your proxies' ranges) is skipped, and the first one that is not is
// the client. Entries a proxy did not write cannot be told apart from the client's
// own, so only hops you trust are ever skipped. No node imports: Hono and workers use it.

/** How many proxies sit in front of the server, or which addresses are yours. */
export type TrustProxy = number | ((address: string) => boolean);

export interface ClientAddressOptions {
  /** Unset: the socket's address, whatever the headers say. */
  readonly trustProxy?: TrustProxy | undefined;
  /** The header your proxies append to. Default `'x-forwarded-for'`. */
  readonly proxyHeader?: 'x-forwarded-for' | 'forwarded' | undefined;
}

/** `[2001:db8::1]:443`, `"[::1]"`, `10.0.0.1:80` → the bare address; `unknown`, `_hidden` → undefined. */
function bareAddress(token: string): string | undefined {
  let t = token.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) t = t.slice(1, -1);
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    return end === -1 ? undefined : t.slice(1, end);
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  const colon = t.indexOf(':');
  if (colon !== -1 && t.indexOf(':', colon + 1) === -1) t = t.slice(0, colon);
  return /^[0-9A-Fa-f.:]+$/.test(t) && t.length > 0 ? t : undefined;
}

/** The hops a forwarding header lists, nearest last; `undefined` entries are ones that name no address. */
function forwardedHops(values: readonly string[], header: 'x-forwarded-for' | 'forwarded'): (string | undefined)[] {
  const hops: (string | undefined)[] = [];
  for (const value of values) {
    for (const element of value.split(',')) {
      if (header === 'x-forwarded-for') {
        hops.push(bareAddress(element));
        continue;
      }
      const pair = element.split(';').find((p) => p.trim().toLowerCase().startsWith('for='));
      hops.push(pair === undefined ? undefined : bareAddress(pair.trim().slice(4)));
    }
  }
  return hops;
}

/**
 * The client address from the socket's peer and the forwarding header's lines (every
 * line, in order received). `undefined` when it cannot be known: then IP restrictions
 * refuse.
 */
export function resolveClientAddress(peer: string | undefined, headerLines: readonly string[] | undefined, options: ClientAddressOptions): string | undefined {
  const trust = options.trustProxy;
  if (trust === undefined || peer === undefined) return peer;
  const hops = forwardedHops(headerLines ?? [], options.proxyHeader ?? 'x-forwarded-for');
  // Nearest first: the socket peer, then the header's entries from its right end.
  let address: string | undefined = peer;
  let skipped = 0;
  for (let i = hops.length; ; i--) {
    const trusted = typeof trust === 'number' ? skipped < trust : address !== undefined && trust(address);
    if (!trusted || i === 0) return address;
    address = hops[i - 1];
    skipped++;
    if (address === undefined) return undefined;
  }
}
