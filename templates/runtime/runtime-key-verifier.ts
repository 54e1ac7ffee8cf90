// `apiKeyVerifier(store, options)`: the verifier of an API key scheme that enforces
// the key's record (runtime-key-record.ts), and the binding check of an API key +
// App ID group. Per request it does the same work whatever is wrong with the key: one
// parse (a malformed key never reaches the store), at most one lookup by id, and one
// constant-time comparison of SHA-256 digests (against a dummy when there is no
// record), then the record's restrictions. Every refusal answers the same `null`, so
// unknown, expired, revoked, rotated-out and restricted keys look alike to the caller;
// why goes to `context.deny` (`onDecision`'s `detail`) only.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseApiKey } from './runtime-key-format.js';
import { checkKeyRecord, timeOf, type KeyOwner, type KeyRecord, type KeyStore, type QuotaPolicy } from './runtime-key-record.js';
import { cidrMatcher } from './runtime-cidr.js';
import { readHeader } from './runtime-request.js';
import { KEY_PRINCIPAL, type BindingContext, type VerifyContext } from './runtime-types.js';

export interface ApiKeyVerifierOptions {
  /** Accept only keys of this prefix (`acme_live`). */
  readonly prefix?: string;
  /** Milliseconds since the epoch; inject a clock in tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Record a key's use at most this often (ms). Default 5 minutes; 0 records none. */
  readonly lastUsedInterval?: number;
  /** Sees a failed `touch` (the request is not affected). Default: ignored. */
  readonly onTouchError?: (error: unknown) => void;
}

/** What the verifier returns for a good key: the record's owner, its id and the App IDs it binds to. */
export type KeyPrincipal = KeyOwner & {
  readonly keyId: string;
  readonly scopes: readonly string[];
  readonly apps: readonly string[];
  /** The record's quota, when it has one: what `quotaLimiter` (runtime-quota.ts) enforces, with no second lookup. */
  readonly quota?: QuotaPolicy;
};

/** An App ID verifier's principal, as `appId` below returns it. */
export interface AppPrincipal {
  readonly appId: string;
}

export interface ApiKeyVerifier {
  /** The API key scheme's verifier. */
  readonly verify: (key: string, context: VerifyContext) => Promise<KeyPrincipal | null>;
  /** An App ID scheme's verifier: any printable id up to 128 characters; which key it belongs to is `bind`'s question. */
  readonly appId: (appId: string) => AppPrincipal | null;
  /** The API key + App ID group's binding check: every App ID principal must be one of the key's apps. */
  readonly bind: (principals: { readonly [scheme: string]: unknown }, context: BindingContext) => boolean;
}

/** Frozen, with the `KEY_PRINCIPAL` brand (non-enumerable: it never shows in logs or JSON). */
function brand<T extends object>(principal: T): T {
  Object.defineProperty(principal, KEY_PRINCIPAL, { value: true });
  return Object.freeze(principal);
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const DUMMY = sha256('openapi-security-codegen: no such key');
const APP_ID = /^[\x21-\x7e]{1,128}$/;

/** The origin of the calling page: `Origin`, else the origin of `Referer`; undefined when neither parses. */
function callerOrigin(context: VerifyContext): string | undefined {
  const origin = readHeader(context.request, 'origin', undefined);
  const referer = readHeader(context.request, 'referer', undefined);
  const raw = typeof origin === 'string' && origin !== 'null' ? origin : typeof referer === 'string' ? referer : undefined;
  if (raw === undefined) return undefined;
  try {
    return new URL(raw).origin;
  } catch {
    return undefined;
  }
}

interface Prepared {
  readonly record: KeyRecord;
  readonly digest: Buffer;
  readonly notBefore: number | undefined;
  readonly expiresAt: number | undefined;
  readonly graceUntil: number | undefined;
  readonly inRange: ((address: string) => boolean) | undefined;
  readonly origins: ReadonlySet<string> | undefined;
  readonly principal: KeyPrincipal;
}

export function apiKeyVerifier(store: KeyStore, options: ApiKeyVerifierOptions = {}): ApiKeyVerifier {
  const now = options.now ?? Date.now;
  const interval = options.lastUsedInterval ?? 300_000;
  const touched = new Map<string, number>();
  const mine = new WeakSet<object>();
  // Parsed once per record object: a store that caches records pays this once.
  const prepared = new WeakMap<KeyRecord, Prepared>();
  const prepare = (record: KeyRecord): Prepared => {
    let p = prepared.get(record);
    if (p !== undefined) return p;
    checkKeyRecord(record);
    // Shared by every request with this key, so frozen: a handler cannot change it for the next.
    // `keyId`, `scopes`, `apps` and `quota` are the record's, whatever the owner holds: an
    // owner field named `quota` must not become a quota policy.
    const { quota: _ownerQuota, ...owner } = record.owner;
    const principal: KeyPrincipal = brand({
      ...owner,
      keyId: record.id,
      scopes: Object.freeze([...(record.owner.scopes ?? [])]),
      apps: Object.freeze([...(record.apps ?? [])]),
      ...(record.quota === undefined ? {} : { quota: record.quota }),
    });
    mine.add(principal);
    p = {
      record,
      digest: Buffer.from(record.hash.toLowerCase(), 'hex'),
      notBefore: timeOf(record.notBefore),
      expiresAt: timeOf(record.expiresAt),
      graceUntil: timeOf(record.graceUntil),
      inRange: record.ipRanges === undefined ? undefined : cidrMatcher(record.ipRanges),
      origins: record.origins === undefined ? undefined : new Set(record.origins.map((o) => new URL(o).origin)),
      principal,
    };
    prepared.set(record, p);
    return p;
  };
  const touch = (id: string, at: number): void => {
    if (interval <= 0 || store.touch === undefined) return;
    const last = touched.get(id);
    if (last !== undefined && at - last < interval) return;
    touched.set(id, at);
    // Off the request's path: not awaited, and a failure only reaches onTouchError.
    Promise.resolve()
      .then(() => store.touch?.(id, new Date(at)))
      .catch((error: unknown) => options.onTouchError?.(error));
  };
  // The restriction a good key's record breaks for this request, if any.
  const restriction = (p: Prepared, context: VerifyContext, at: number): string | undefined => {
    const r = p.record;
    if (r.revoked === true) return 'key-revoked';
    if (p.notBefore !== undefined && at < p.notBefore) return 'key-not-yet-valid';
    if (p.expiresAt !== undefined && at >= p.expiresAt) return 'key-expired';
    if (r.replacedBy !== undefined && (p.graceUntil === undefined || at >= p.graceUntil)) return 'key-rotated';
    if (r.operations !== undefined && !r.operations.includes(context.operationId)) return 'key-wrong-operation';
    if (p.inRange !== undefined) {
      const address = context.request.clientAddress;
      if (address === undefined || !p.inRange(address)) return 'key-wrong-ip';
    }
    if (p.origins !== undefined) {
      const origin = callerOrigin(context);
      if (origin === undefined || !p.origins.has(origin)) return 'key-wrong-origin';
    }
    return undefined;
  };
  return {
    async verify(key, context) {
      const presented = sha256(typeof key === 'string' ? key : '');
      const parsed = typeof key === 'string' ? parseApiKey(key, options.prefix === undefined ? {} : { prefix: options.prefix }) : undefined;
      const record = parsed === undefined ? undefined : await store.get(parsed.id);
      const p = record === undefined || record.id !== parsed?.id ? undefined : prepare(record);
      // One comparison whatever happened before it.
      const same = timingSafeEqual(p?.digest ?? DUMMY, presented) && p !== undefined;
      if (!same) {
        context.deny?.(parsed === undefined ? 'key-malformed' : p === undefined ? 'key-unknown' : 'key-mismatch');
        return null;
      }
      const at = now();
      const refused = restriction(p, context, at);
      if (refused !== undefined) {
        context.deny?.(refused);
        return null;
      }
      touch(p.record.id, at);
      return p.principal;
    },
    appId(appId) {
      return typeof appId === 'string' && APP_ID.test(appId) ? { appId } : null;
    },
    bind(principals, context) {
      let key: KeyPrincipal | undefined;
      const apps: string[] = [];
      for (const name of Object.keys(principals)) {
        const value = principals[name];
        if (typeof value !== 'object' || value === null) continue;
        if (mine.has(value)) key = value as KeyPrincipal;
        else if (typeof (value as { appId?: unknown }).appId === 'string') apps.push((value as AppPrincipal).appId);
      }
      const ok = key !== undefined && apps.length > 0 && apps.every((app) => (key as KeyPrincipal).apps.includes(app));
      if (!ok) context.deny?.('key-wrong-app');
      return ok;
    },
  };
}
