// The stores family's revocation propagation: two PostgreSQL stores A and B (own pools,
// own LISTEN connections) with the key cached; a plain-SQL `UPDATE ... SET revoked = true`
// through a third pool; the time until each store's `verify` refuses the key.
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { log } from './config.js';
import type { Loose } from './generated.js';
import { median, percentile } from './timing.js';

export const REVOCATIONS = 20;
export interface Stats {
  median: number;
  p95: number;
  min: number;
  max: number;
}
export interface Propagation {
  n: number;
  A: Stats;
  B: Stats;
  commitA: Stats;
  commitB: Stats;
}

export async function propagation({ pg, PG, schema, admin, apiKeyVerifier, createPostgresKeyStore, newKey, context, closers, quiet }: Loose): Promise<Propagation> {
  log(`stores: revocation propagation (${REVOCATIONS} revocations)`);
  // Two replicas: each its own pool and its own LISTEN connection, a cache TTL far longer
  // than the part (a refusal can only come from a notification), no `touch` writes.
  const replica = async (name: string) => {
    const pool = new pg.Pool({ ...PG, max: 2 });
    let lookups = 0;
    const counted = { query: (text: string, values: unknown[]) => (text.includes('WHERE "id" = $1') && lookups++, pool.query(text, values)) };
    const store = createPostgresKeyStore({ pool: counted, schema, listen: () => new pg.Client(PG), cacheTtlMs: 600_000, onEvent: quiet });
    closers.push(() => pool.end(), () => store.close());
    if ((await store.ready) !== 'listening') throw new Error(`replica ${name} is ${store.mode}, not listening`);
    return { name, verifier: apiKeyVerifier(store, { lastUsedInterval: 0 }), lookups: () => lookups };
  };
  const a = await replica('A');
  const b = await replica('B');
  const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
  const fromUpdate: Record<string, number[]> = { A: [], B: [] };
  const fromCommit: Record<string, number[]> = { A: [], B: [] };
  for (let i = 0; i < REVOCATIONS; i++) {
    const { key, record } = await newKey();
    await sleep(50); // the INSERT's own notification has arrived before the key is cached
    for (const r of [a, b]) {
      if ((await r.verifier.verify(key, context)) === null) throw new Error(`replica ${r.name} refuses a fresh key`);
      const before = r.lookups();
      if ((await r.verifier.verify(key, context)) === null || r.lookups() !== before) throw new Error(`replica ${r.name} does not serve the key from its cache`);
    }
    const t0 = process.hrtime.bigint();
    let committed = t0;
    const update = admin.query(`UPDATE "${schema}"."api_keys" SET revoked = true, revoked_at = now() WHERE id = $1`, [record.id]).then((res: Loose) => {
      committed = process.hrtime.bigint();
      if (res.rowCount !== 1) throw new Error('the UPDATE changed no row');
    });
    const refusedAt: Record<string, bigint> = {};
    while (refusedAt.A === undefined || refusedAt.B === undefined) {
      for (const r of [a, b]) {
        if (refusedAt[r.name] === undefined && (await r.verifier.verify(key, context)) === null) refusedAt[r.name] = process.hrtime.bigint();
      }
      if (ms(t0) > 10_000) throw new Error(`revocation ${i + 1}: not refused within 10 s (A ${refusedAt.A !== undefined}, B ${refusedAt.B !== undefined})`);
      await tick(); // let the LISTEN sockets deliver
    }
    await update;
    for (const name of ['A', 'B']) {
      fromUpdate[name]!.push(Number(refusedAt[name]! - t0) / 1e6);
      fromCommit[name]!.push(Number(refusedAt[name]! - committed) / 1e6);
    }
  }
  const stats = (xs: number[]): Stats => ({ median: median(xs), p95: percentile(xs, 95), max: Math.max(...xs), min: Math.min(...xs) });
  return { n: REVOCATIONS, A: stats(fromUpdate.A!), B: stats(fromUpdate.B!), commitB: stats(fromCommit.B!), commitA: stats(fromCommit.A!) };
}
