// BEFORE: fixed reference figures, hard-coded, NOT measured by this run. They are copied
// from docs/PERFORMANCE.md as committed at 230e176 (the full `npm run bench` of
// 2026-12-02, before the performance issue's work), so every later run shows its goals
// next to where they started. Do not update them from a new run: they are the baseline.
export const BEFORE_LABEL = '2026-12-02 run at 230e176';

const BEFORE: Record<string, string> = {
  // That run measured generation and check against swagger-parser's `parse` only; there
  // was no own-format (JSON.parse / yaml) floor yet, so its absolute times are given.
  generate: 'generate 690 / 984 / 1276 ms (Stripe / Kubernetes / Google Compute); 1.97× / 1.74× / 1.71× swagger-parser `parse`',
  check: 'check 923 / 989 / 1577 ms; 2.18× / 1.66× / 1.89× swagger-parser `parse`',
  openapiTypescript: 'worst 3.5× (Google Compute)',
  guardA: '2.23× (747 ÷ 335 ns)',
  guardB: '1.95× (923 ÷ 473 ns)',
  guardC: '2.22× (417 ÷ 188 ns)',
  guardCInvalid: 'not measured',
  guardD: '1.73× (20 operations), 2.63× (800 operations)',
  eov: '135.8× (`authorize`), within noise (adapter in Express); valid path only',
  peersValid: 'express-openapi-validator 135.8× `authorize`; openapi-backend within noise; fastify-openapi-glue not measured',
  peersInvalid: 'not measured',
  routing: '800 ÷ 20 operations: 1.05×',
  express: 'valid -33.7%, invalid -27.6% (against the same 401 hand-written: 22.0%)',
  fastify: 'valid -6.1%, invalid 20.8% (against the same 401 hand-written: 1.9%)',
  storesHit: '1.11× CPU, 1.12× wall',
  storesQuota: '(d) ÷ (a) = 0.76 (cost 24.3%); (b) ÷ (a) = 0.47; the store alone 20.5%',
  propagation: 'median 6.4 ms, p95 10.9 ms',
};

export const before = (key: string | undefined): string => (key === undefined ? '' : (BEFORE[key] ?? ''));
