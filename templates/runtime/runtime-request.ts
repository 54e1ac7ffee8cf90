// The framework-neutral request the guard reads, and the views that build one from a
// node `IncomingMessage` or a Fetch `Request`: header, query and cookie readers that
// keep a repeated credential apart (never a choice of one), the absolute-form and
// fragment rules for request targets, the mutual TLS peer certificate and the client
// address (runtime-address.ts).
import { resolveClientAddress, type ClientAddressOptions } from './runtime-address.js';

/** Anything with a `get()` like the Fetch `Headers` (which joins repeated values). */
export interface HeadersLike {
  get(name: string): string | null;
}
/** A plain header record such as node's `req.headers` / `req.headersDistinct` (arrays keep repeated lines apart). */
export type HeaderRecord = { readonly [name: string]: string | readonly string[] | undefined };
/** Anything with `getAll()` like `URLSearchParams`. */
export interface QueryLike {
  getAll(name: string): string[];
}
export type QueryRecord = { readonly [name: string]: string | readonly string[] | undefined };
export type CookieRecord = { readonly [name: string]: string | readonly string[] | undefined };

/** Structural subset of node's `tls.PeerCertificate`, so no node types are imported. */
export interface ClientCertificate {
  readonly subject?: CertificateName | undefined;
  readonly issuer?: CertificateName | undefined;
  readonly subjectaltname?: string | undefined;
  readonly valid_from?: string | undefined;
  readonly valid_to?: string | undefined;
  readonly serialNumber?: string | undefined;
  readonly fingerprint?: string | undefined;
  readonly fingerprint256?: string | undefined;
  readonly fingerprint512?: string | undefined;
  readonly ca?: boolean | undefined;
  readonly raw?: Uint8Array | undefined;
}
export interface CertificateName {
  readonly C?: string | readonly string[] | undefined;
  readonly ST?: string | readonly string[] | undefined;
  readonly L?: string | readonly string[] | undefined;
  readonly O?: string | readonly string[] | undefined;
  readonly OU?: string | readonly string[] | undefined;
  readonly CN?: string | readonly string[] | undefined;
}

/** The framework-neutral request the guard reads credentials from. */
export interface AuthRequest {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly headers: HeadersLike | HeaderRecord;
  /**
   * Node's `req.rawHeaders` (name, value, name, value, … as received). When given,
   * header credentials are read from it instead of `headers`: it keeps repeated lines
   * apart (so a key sent twice is caught) and costs nothing to get, where node's
   * `headersDistinct` builds a new object of arrays on every request.
   */
  readonly rawHeaders?: readonly string[] | undefined;
  readonly query?: QueryLike | QueryRecord | undefined;
  /** Parsed cookies; when absent the `Cookie` header is parsed. */
  readonly cookies?: CookieRecord | undefined;
  /** Set only for an authorized TLS peer (adapters check `socket.authorized`). */
  readonly clientCertificate?: ClientCertificate | null | undefined;
  /**
   * The client's IP address (the socket's peer, or through `trustProxy` the address
   * your proxies forwarded). Absent when unknown: IP restrictions then refuse.
   */
  readonly clientAddress?: string | undefined;
}

/** Structural view of node's `IncomingMessage`, so this file stays free of node types. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: HeaderRecord;
  /** Every header line as received, so duplicates are detectable. */
  readonly rawHeaders?: readonly string[] | undefined;
  readonly socket?: object | null | undefined;
}

/**
 * The peer certificate of a TLS socket, only when the TLS layer authorized it against
 * the server's CAs (`requestCert` with `rejectUnauthorized: false` still lets
 * unauthorized peers in, and they must not count as authenticated).
 */
export function clientCertificateOf(socket: object | null | undefined): ClientCertificate | undefined {
  if (socket == null) return undefined;
  const tls = socket as { authorized?: unknown; getPeerCertificate?: unknown };
  if (tls.authorized !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  const cert: unknown = (tls.getPeerCertificate as () => unknown).call(socket);
  if (cert === null || typeof cert !== 'object' || isEmptyObject(cert)) return undefined;
  return cert as ClientCertificate;
}

/** The forwarding header's lines as received (every line: a proxy may add its own). */
function headerLines(req: NodeRequestLike, name: string): readonly string[] | undefined {
  const raw = req.rawHeaders;
  if (raw !== undefined) {
    const lines: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name) lines.push(raw[i + 1] as string);
    return lines;
  }
  const v = req.headers[name];
  return v === undefined ? undefined : typeof v === 'string' ? [v] : v;
}

/** The client address of a node request: the socket's peer, or what `trustProxy` lets the forwarding header say. */
export function clientAddressOfNode(req: NodeRequestLike, options: ClientAddressOptions = {}): string | undefined {
  const peer = (req.socket as { remoteAddress?: unknown } | null | undefined)?.remoteAddress;
  const address = typeof peer === 'string' ? peer : undefined;
  if (options.trustProxy === undefined) return address;
  return resolveClientAddress(address, headerLines(req, options.proxyHeader ?? 'x-forwarded-for'), options);
}

/** Builds an `AuthRequest` from a node request; `url` defaults to `req.url`. */
export function authRequestFromNode(req: NodeRequestLike, target: string = req.url ?? '/', address: ClientAddressOptions = {}): AuthRequest {
  // RFC 9112 §3.2.2 absolute-form (`GET http://host/v1/x`): routers use its path, so must we.
  const url = target.charCodeAt(0) === 47 ? target : withoutOrigin(target);
  // A client never sends a fragment (RFC 9110 §7.1). When one arrives anyway, the
  // query is read only from before it (`/search#?api_key=…` carries no query the
  // application would see), and the path keeps the `#`, which the matcher refuses.
  const hash = url.indexOf('#');
  const q = url.indexOf('?');
  const hasQuery = q !== -1 && (hash === -1 || q < hash);
  return {
    method: req.method,
    path: hasQuery ? url.slice(0, q) : url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    query: hasQuery ? new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash)) : undefined,
    clientCertificate: clientCertificateOf(req.socket),
    clientAddress: clientAddressOfNode(req, address),
  };
}

/**
 * The path of an absolute-form target. Only a plain authority (`host`, `host:digits`,
 * `[ipv6]:digits`) is cut: parsers disagree about anything else (Express's router,
 * through `url.parse`, reads `http://h:acme/pets` as the path `/:acme/pets`), so such a
 * target is returned whole, and the strict matcher refuses a path that does not start
 * with `/`.
 */
function withoutOrigin(target: string): string {
  const origin = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(target);
  if (origin === null || !PLAIN_AUTHORITY.test(origin[1] as string)) return target;
  const rest = target.slice(origin[0].length);
  return rest.charCodeAt(0) === 47 ? rest : '/' + rest;
}

const PLAIN_AUTHORITY = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/** Builds an `AuthRequest` from a Fetch `Request`. */
export function authRequestFromFetch(request: Request, clientCertificate?: ClientCertificate, clientAddress?: string): AuthRequest {
  const url = request.url;
  // Absolute URL: the path starts at the first `/` after `scheme://host`.
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const q = url.indexOf('?');
  const path = start === -1 ? '/' : url.slice(start, q === -1 ? undefined : q);
  return {
    method: request.method,
    path,
    headers: request.headers,
    query: q === -1 ? undefined : new URLSearchParams(url.slice(q + 1)),
    clientCertificate,
    clientAddress,
  };
}

/**
 * Whether repeated header lines reach the guard joined into one value: a Fetch `Headers`
 * (Fetch standard §5.2 joins them with ", ") without node's `rawHeaders` beside it. Its
 * values are then read as joins: an API key with a comma, or an Authorization value
 * with a comma where one credentials cannot have one, was sent twice.
 */
export function joinsRepeats(request: AuthRequest): boolean {
  return request.rawHeaders == null && typeof (request.headers as { get?: unknown }).get === 'function';
}

export const DUPLICATE: unique symbol = Symbol('duplicate');
export type Single = string | undefined | typeof DUPLICATE;

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function isEmptyObject(o: object): boolean {
  for (const k in o) if (hasOwn(o, k)) return false;
  return true;
}

export function single(v: string | readonly string[] | undefined): Single {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v.length === 0) return undefined;
  return v.length === 1 ? v[0] : DUPLICATE;
}

/**
 * Header names are case-insensitive (RFC 9110 §5.1); a name seen twice is a duplicate,
 * unless `join` says how repeated lines combine (the Cookie header).
 */
export function readHeader(request: AuthRequest, lower: string, join: string | undefined): Single {
  const raw = request.rawHeaders;
  if (raw != null) {
    let found: string | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i] as string;
      if (key.length !== lower.length || (key !== lower && key.toLowerCase() !== lower)) continue;
      const v = raw[i + 1] as string;
      if (found === undefined) found = v;
      else if (join === undefined) return DUPLICATE;
      else found = found + join + v;
    }
    return found;
  }
  const headers = request.headers;
  if (typeof (headers as HeadersLike).get === 'function') {
    const v = (headers as HeadersLike).get(lower);
    return v === null ? undefined : v;
  }
  const record = headers as HeaderRecord;
  let found: Single;
  for (const key in record) {
    if (key.length !== lower.length || !hasOwn(record, key)) continue;
    if (key !== lower && key.toLowerCase() !== lower) continue;
    const raw = record[key];
    const v = join !== undefined && raw !== undefined && typeof raw !== 'string' ? raw.join(join) : single(raw);
    if (v === undefined) continue;
    if (found !== undefined) {
      if (join === undefined || v === DUPLICATE || found === DUPLICATE) return DUPLICATE;
      found = found + join + v;
    } else {
      found = v;
    }
  }
  return found;
}

export function readQuery(query: QueryLike | QueryRecord | undefined, name: string): Single {
  if (query == null) return undefined;
  if (typeof (query as QueryLike).getAll === 'function') {
    const all = (query as QueryLike).getAll(name);
    return all.length === 0 ? undefined : all.length === 1 ? all[0] : DUPLICATE;
  }
  return hasOwn(query, name) ? single((query as QueryRecord)[name]) : undefined;
}

