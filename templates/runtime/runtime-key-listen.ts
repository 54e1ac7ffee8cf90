// The LISTEN side of the PostgreSQL key store (runtime-key-store-postgres.ts): one
// dedicated connection LISTENing on a channel, kept alive for the store's life. It
// proves that notifications really arrive before relying on them: behind PgBouncer in
// transaction mode LISTEN succeeds but nothing is ever delivered, so after each
// (re)connect it sends a probe NOTIFY through the pool and waits for it here; when it
// does not come, the store falls back to its cache TTL and says so. While listening,
// a probe every `heartbeatMs` catches a connection that died silently. A lost
// connection (error, end, or a heartbeat that never came back) is reported as a gap
// at once (notifications may have been missed: the store forgets its cache), then
// reconnected with a jittered, bounded backoff; once listening again the store
// forgets its cache once more, since changes during the gap announced nothing.
import { randomUUID } from 'node:crypto';

/**
 * A dedicated connection, as node-postgres's `Client` is one (`() => new pg.Client(config)`):
 * never a pooled one, which would take the LISTEN back to the pool.
 */
export interface ListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { readonly channel: string; readonly payload?: string | undefined }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'notification', listener: (message: { readonly channel: string; readonly payload?: string | undefined }) => void): unknown;
  end(): Promise<unknown>;
}

/** What the store tells about its LISTEN connection. Never holds a key or a hash. */
export interface KeyStoreEvent {
  /**
   * `listening` (notifications proven to arrive), `reconnected` (listening again after a
   * loss), `ttl-only` (no LISTEN: `listen: false`, or notifications do not arrive),
   * `listen-lost` (the connection failed; the cache was forgotten), `listen-failed`
   * (a connection attempt failed; another follows).
   */
  readonly type: 'listening' | 'reconnected' | 'ttl-only' | 'listen-lost' | 'listen-failed';
  /** `warn`: revocations may now take up to the cache TTL to reach this replica. */
  readonly level: 'info' | 'warn';
  readonly message: string;
  /** The connection error behind a warning, if any. */
  readonly error?: unknown;
}

/** `listening`, or what the store does meanwhile: `ttl-only` for good, `reconnecting` until a retry succeeds. */
export type ListenMode = 'listening' | 'ttl-only' | 'reconnecting' | 'closed';

export interface ListenerOptions {
  readonly connect: () => ListenClient | Promise<ListenClient>;
  /** Sends the probes (`SELECT pg_notify($1, $2)`): the path the store's changes take. */
  readonly pool: { query(text: string, values?: unknown[]): Promise<unknown> };
  readonly channel: string;
  readonly probeTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly reconnectMaxMs: number;
  /** For the warnings' wording. */
  readonly ttlMs: number;
  /** Every payload but probes, parsed as JSON (`undefined` when it is not JSON). */
  readonly onPayload: (payload: unknown) => void;
  /** Notifications may have been missed (connection lost), or may have been before now (listening again). */
  readonly onGap: () => void;
  /** Runs before each probe (the store resolves its table's schema); a failure is ignored. */
  readonly prepare: () => Promise<void>;
  readonly onEvent: (event: KeyStoreEvent) => void;
}

export interface Listener {
  readonly ready: Promise<ListenMode>;
  readonly mode: () => ListenMode;
  close(): Promise<void>;
}

/** One connection attempt (connect, LISTEN) may take this long before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const RECONNECT_MIN_MS = 250;

const timer = (ms: number, fn: () => void): ReturnType<typeof setTimeout> => {
  const t = setTimeout(fn, ms);
  // A store must not keep a process alive on its own.
  (t as { unref?: () => void }).unref?.();
  return t;
};

export function startListener(options: ListenerOptions): Listener {
  const { channel } = options;
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  const degraded = `revocations take up to ${options.ttlMs} ms (cacheTtlMs) to reach this replica`;
  let mode: ListenMode = 'reconnecting';
  /** Whether a probe ever arrived: after that, a missing probe is a fault to retry, never a reason for TTL-only. */
  let everListened = false;
  let closed = false;
  let current: ListenClient | undefined;
  /** Fails the attempt or heartbeat in progress when the connection is lost. */
  let failCurrent: ((error: Error) => void) | undefined;
  const probes = new Map<string, () => void>();
  let pending: ReturnType<typeof setTimeout> | undefined;
  let resolveReady: (mode: ListenMode) => void = () => undefined;
  const ready = new Promise<ListenMode>((resolve) => (resolveReady = resolve));

  const onNotification = (message: { readonly channel: string; readonly payload?: string | undefined }): void => {
    if (message.channel !== channel) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.payload ?? '');
    } catch {
      parsed = undefined;
    }
    const probe = typeof parsed === 'object' && parsed !== null ? (parsed as { probe?: unknown }).probe : undefined;
    // Probes (ours or another replica's) change nothing.
    if (typeof probe === 'string') return probes.get(probe)?.();
    options.onPayload(parsed);
  };
  const ended = new WeakSet<ListenClient>();
  /** Ends a connection we no longer use, once; its listeners stay, so an error it emits later cannot crash the process. */
  const abandon = (client: ListenClient | undefined): void => {
    if (client === undefined || ended.has(client)) return;
    ended.add(client);
    client.removeListener('notification', onNotification);
    Promise.resolve()
      .then(() => client.end())
      .catch(() => undefined);
  };
  const race = <T>(work: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = timer(ms, () => reject(new Error(`${what} took longer than ${ms} ms`)));
      failCurrent = reject;
      work.then(resolve, reject).finally(() => clearTimeout(t));
    });
  /**
   * `true` when a probe sent through the pool arrived on the LISTEN connection, `false`
   * when it did not within `probeTimeoutMs`; throws when the pool or the connection failed.
   */
  const probe = async (): Promise<boolean> => {
    const token = randomUUID();
    // Registered before it is sent: the notification may arrive before the pool's answer.
    let arrived = false;
    let wake = (): void => undefined;
    probes.set(token, () => {
      arrived = true;
      wake();
    });
    try {
      await race(options.pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ probe: token })]), ATTEMPT_TIMEOUT_MS, 'probe NOTIFY');
      if (arrived) return true;
      return await new Promise<boolean>((resolve, reject) => {
        const t = timer(options.probeTimeoutMs, () => resolve(false));
        wake = () => (clearTimeout(t), resolve(true));
        failCurrent = (error) => (clearTimeout(t), reject(error));
      });
    } finally {
      probes.delete(token);
    }
  };
  const lost = (client: ListenClient, error: unknown): void => {
    if (client !== current || closed) return;
    current = undefined;
    abandon(client);
    failCurrent?.(error instanceof Error ? error : new Error('LISTEN connection ended'));
    if (mode !== 'listening') return; // an attempt in progress: its own catch retries
    mode = 'reconnecting';
    if (pending !== undefined) clearTimeout(pending);
    options.onGap();
    const reason = error instanceof Error ? error.message : 'connection ended';
    options.onEvent({ type: 'listen-lost', level: 'warn', message: `key store: LISTEN connection lost (${reason}); cache forgotten, reconnecting; until then ${degraded}`, error });
    pending = timer(backoff(0), () => void connectOnce(0, true));
  };
  const backoff = (attempt: number): number => {
    const ceiling = Math.min(options.reconnectMaxMs, RECONNECT_MIN_MS * 2 ** Math.min(attempt, 20));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  };
  const heartbeat = (): void => {
    if (options.heartbeatMs <= 0) return;
    pending = timer(options.heartbeatMs, async () => {
      const client = current;
      if (closed || client === undefined || mode !== 'listening') return;
      let ok = true;
      try {
        ok = await probe();
      } catch {
        // The pool failed (or the connection did, which `lost` handles): nothing learnt.
      }
      if (client !== current) return;
      if (ok) heartbeat();
      else lost(client, new Error(`heartbeat probe did not arrive within ${options.probeTimeoutMs} ms`));
    });
  };
  const connectOnce = async (attempt: number, reconnect: boolean): Promise<void> => {
    if (closed) return;
    let client: ListenClient | undefined;
    try {
      // Under the same bound as connecting: a factory that never answers must not hold `ready`.
      client = await race(Promise.resolve(options.connect()), ATTEMPT_TIMEOUT_MS, 'creating the LISTEN client');
      if (closed) return abandon(client);
      const mine = client;
      current = mine;
      mine.on('error', (error: Error) => lost(mine, error));
      mine.on('end', () => lost(mine, new Error('LISTEN connection ended')));
      mine.on('notification', onNotification);
      await race(Promise.resolve(mine.connect()), ATTEMPT_TIMEOUT_MS, 'connecting');
      await race(Promise.resolve(mine.query(`LISTEN ${quoted}`)), ATTEMPT_TIMEOUT_MS, 'LISTEN');
      await options.prepare().catch(() => undefined);
      const arrived = await probe();
      if (closed || current !== mine) throw new Error('LISTEN connection ended');
      failCurrent = undefined;
      // Once notifications have arrived on this database, a probe that does not arrive is
      // a slow or broken connection, not a PgBouncer: retry (review finding: one slow
      // reconnect used to turn LISTEN off for the life of the process).
      if (!arrived && everListened) throw new Error(`the probe NOTIFY did not arrive within ${options.probeTimeoutMs} ms`);
      if (!arrived) {
        // PgBouncer in transaction mode (or a proxy like it): LISTEN is accepted, nothing is delivered.
        mode = 'ttl-only';
        current = undefined;
        abandon(mine);
        options.onEvent({ type: 'ttl-only', level: 'warn', message: `key store: a probe NOTIFY sent through the pool never arrived on the LISTEN connection (PgBouncer in transaction mode?): ${degraded}` });
        resolveReady(mode);
        return;
      }
      mode = 'listening';
      everListened = true;
      // Changes before LISTEN (or during the gap) were announced to nobody.
      options.onGap();
      options.onEvent(reconnect ? { type: 'reconnected', level: 'info', message: 'key store: LISTEN connection re-established; cache forgotten once more' } : { type: 'listening', level: 'info', message: `key store: listening on ${channel}` });
      resolveReady(mode);
      heartbeat();
    } catch (error) {
      if (client !== undefined && current === client) current = undefined;
      abandon(client);
      failCurrent = undefined;
      if (closed) return;
      const delay = backoff(attempt);
      const reason = error instanceof Error ? error.message : String(error);
      options.onEvent({ type: 'listen-failed', level: 'warn', message: `key store: cannot LISTEN (${reason}); retrying in about ${delay} ms; until then ${degraded}`, error });
      resolveReady(mode);
      pending = timer(delay, () => void connectOnce(attempt + 1, true));
    }
  };
  // At once, not on an unref'd timer: a process awaiting `ready` must not exit meanwhile.
  void connectOnce(0, false);
  return {
    ready,
    mode: () => mode,
    async close() {
      closed = true;
      mode = 'closed';
      if (pending !== undefined) clearTimeout(pending);
      failCurrent?.(new Error('key store closed'));
      const client = current;
      current = undefined;
      resolveReady(mode);
      if (client !== undefined && !ended.has(client)) {
        ended.add(client);
        client.removeListener('notification', onNotification);
        // Bounded: over a dead network `end()` waits for an answer that never comes.
        const ending = Promise.resolve()
          .then(() => client.end())
          .catch(() => undefined);
        let t: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([ending, new Promise((resolve) => (t = timer(1000, () => resolve(undefined))))]);
        clearTimeout(t);
      }
    },
  };
}
