// The client address: the socket's peer unless `trustProxy` says which forwarding
// hops are the operator's own; a spoofed header changes nothing.
import { describe, expect, it } from 'vitest';
import { resolveClientAddress } from '../../templates/runtime/runtime-address.js';
import { clientAddressOfNode } from '../../templates/runtime/runtime-request.js';
import { cidrMatcher } from '../../templates/runtime/runtime-cidr.js';

describe('resolveClientAddress', () => {
  it('without trustProxy: the socket peer, whatever the header says', () => {
    expect(resolveClientAddress('127.0.0.1', ['10.1.2.3'], {})).toBe('127.0.0.1');
  });

  it('a hop count skips that many proxies from the socket side', () => {
    expect(resolveClientAddress('127.0.0.1', ['10.1.2.3'], { trustProxy: 1 })).toBe('10.1.2.3');
    // The client prepended a spoofed entry: the proxy appended the real one.
    expect(resolveClientAddress('127.0.0.1', ['6.6.6.6, 10.1.2.3'], { trustProxy: 1 })).toBe('10.1.2.3');
    expect(resolveClientAddress('127.0.0.1', ['6.6.6.6', '10.1.2.3, 10.0.0.2'], { trustProxy: 2 })).toBe('10.1.2.3');
    // Fewer entries than trusted hops: the farthest one there is.
    expect(resolveClientAddress('127.0.0.1', ['10.1.2.3'], { trustProxy: 5 })).toBe('10.1.2.3');
    expect(resolveClientAddress('127.0.0.1', [], { trustProxy: 1 })).toBe('127.0.0.1');
  });

  it('a predicate skips trusted proxies only', () => {
    const mine = cidrMatcher(['127.0.0.0/8', '10.0.0.0/24']);
    expect(resolveClientAddress('127.0.0.1', ['6.6.6.6, 203.0.113.9, 10.0.0.7'], { trustProxy: mine })).toBe('203.0.113.9');
    expect(resolveClientAddress('198.51.100.1', ['10.1.2.3'], { trustProxy: mine })).toBe('198.51.100.1');
  });

  it('an entry that names no address makes the client unknown (IP restrictions then refuse)', () => {
    expect(resolveClientAddress('127.0.0.1', ['unknown'], { trustProxy: 1 })).toBeUndefined();
    expect(resolveClientAddress('127.0.0.1', ['10.1.2.3, garbage'], { trustProxy: 1 })).toBeUndefined();
  });

  it('RFC 7239 Forwarded only when asked for', () => {
    const lines = ['for=6.6.6.6, for="[2001:db8::1]:4711";proto=https'];
    expect(resolveClientAddress('127.0.0.1', lines, { trustProxy: 1, proxyHeader: 'forwarded' })).toBe('2001:db8::1');
    expect(resolveClientAddress('127.0.0.1', ['for=_hidden'], { trustProxy: 1, proxyHeader: 'forwarded' })).toBeUndefined();
  });

  it('ports are cut from IPv4 and bracketed IPv6 entries', () => {
    expect(resolveClientAddress('::1', ['10.1.2.3:5555'], { trustProxy: 1 })).toBe('10.1.2.3');
    expect(resolveClientAddress('::1', ['[2001:db8::2]:80'], { trustProxy: 1 })).toBe('2001:db8::2');
    expect(resolveClientAddress('::1', ['2001:db8::3'], { trustProxy: 1 })).toBe('2001:db8::3');
  });

  it('from a node request: every header line, in order, and the socket', () => {
    const req = { headers: {}, rawHeaders: ['X-Forwarded-For', '6.6.6.6', 'x-forwarded-for', '10.1.2.3'], socket: { remoteAddress: '127.0.0.1' } };
    expect(clientAddressOfNode(req, { trustProxy: 1 })).toBe('10.1.2.3');
    expect(clientAddressOfNode(req)).toBe('127.0.0.1');
    expect(clientAddressOfNode({ headers: {} })).toBeUndefined();
  });
});
