// Helpers for the end-to-end server tests: listening on loopback, closing servers,
// a tiny route table for frameworks that have no router of their own here (Koa, the
// Fetch adapter, node:http), raw HTTP requests (for repeated header lines that
// `fetch` would merge), HTTPS requests with client certificates, and an openssl-made
// PKI (CA, server, clients, and a client from a second CA) for mutual TLS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';

export interface Running {
  /** `http://127.0.0.1:<port>` (or https). */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port. */
export function listen(server: Server, scheme: 'http' | 'https' = 'http'): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `${scheme}://127.0.0.1:${port}`, port, close: () => closeServer(server) });
    });
  });
}

/** Closes a server, dropping keep-alive connections that `fetch` may still hold. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    (server as Partial<http.Server>).closeAllConnections?.();
  });
}

/** Resolves once `server` listens; for servers started by someone else (`serve`). */
export function whenListening(server: Server, scheme: 'http' | 'https' = 'http'): Promise<Running> {
  const done = (): Running => {
    const { port } = server.address() as AddressInfo;
    return { origin: `${scheme}://127.0.0.1:${port}`, port, close: () => closeServer(server) };
  };
  if (server.listening) return Promise.resolve(done());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve(done()));
  });
}

export interface RouteDef {
  readonly method: string;
  /** Express-style path (`:petId`), used as is by Express, Fastify and Hono. */
  readonly path: string;
  /** The operation the route implements; `undefined` for a route the spec does not know. */
  readonly op: string | undefined;
  /** What the handler reports as the route it is. */
  readonly key: string;
}

/** First route (in table order) whose method and path match: a stand-in router. */
export function findRoute<R extends RouteDef>(routes: readonly R[], method: string | undefined, url: string | undefined): R | undefined {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const p = q === -1 ? raw : raw.slice(0, q);
  const m = (method ?? 'GET').toUpperCase();
  return routes.find((r) => r.method === m && routeRegex(r.path).test(p));
}

const regexCache = new Map<string, RegExp>();
function routeRegex(template: string): RegExp {
  let re = regexCache.get(template);
  if (re === undefined) {
    re = new RegExp('^' + template.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
    regexCache.set(template, re);
  }
  return re;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function collect(res: http.IncomingMessage, resolve: (r: RawResponse) => void, reject: (e: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('error', reject);
  res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
}

/**
 * A plain node:http request; header values given as arrays go out as repeated header
 * lines (which `fetch` would merge into one).
 */
export function rawRequest(origin: string, method: string, pathname: string, headers: http.OutgoingHttpHeaders): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(origin + pathname, { method, headers, agent: false }, (res) => collect(res, resolve, reject));
    req.on('error', reject);
    req.end();
  });
}

/** An HTTPS request that trusts `ca` and presents `key`/`cert` when given. */
export function httpsRequest(
  port: number,
  method: string,
  pathname: string,
  tls: { readonly ca: string; readonly key?: string; readonly cert?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, method, path: pathname, agent: false, ca: tls.ca, ...(tls.key !== undefined ? { key: tls.key } : {}), ...(tls.cert !== undefined ? { cert: tls.cert } : {}), headers: { 'content-length': '0' } },
      (res) => collect(res, resolve, reject),
    );
    req.on('error', reject);
    req.end();
  });
}

export interface Pem {
  readonly key: string;
  readonly cert: string;
}
export interface TestPki {
  readonly ca: string;
  readonly server: Pem;
  /** Issued by `ca`, CN `client-ok` (the verifier accepts it). */
  readonly client: Pem;
  /** Issued by `ca`, CN `client-other` (the verifier rejects it). */
  readonly otherClient: Pem;
  /** CN `client-ok` too, but issued by a second CA the server does not trust. */
  readonly rogueClient: Pem;
}

/** Makes a throw-away PKI with openssl into `dir` (EC P-256, valid for two days). */
export function makePki(dir: string): TestPki {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string, cn: string): void => {
    openssl('req', '-x509', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  let serial = 1;
  const issue = (name: string, cn: string, ca: string, ext: string): Pem => {
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-set_serial', String(serial++),
      '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
    return { key: readFileSync(file(`${name}.key`), 'utf8'), cert: readFileSync(file(`${name}.crt`), 'utf8') };
  };
  makeCa('ca', 'E2E Test CA');
  makeCa('rogue-ca', 'E2E Rogue CA');
  const clientExt = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
  return {
    ca: readFileSync(file('ca.crt'), 'utf8'),
    server: issue('server', '127.0.0.1', 'ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n'),
    client: issue('client', 'client-ok', 'ca', clientExt),
    otherClient: issue('other-client', 'client-other', 'ca', clientExt),
    rogueClient: issue('rogue-client', 'client-ok', 'rogue-ca', clientExt),
  };
}
