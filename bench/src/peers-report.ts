// The peers' section of the report and its goals: the guard ≥ 30× faster than
// express-openapi-validator's security step, and faster than every peer's security step
// on the valid and on the invalid path (figures from peers.ts).
import { SAMPLE_SECONDS } from './config.js';
import type { PeerFigures } from './peers.js';
import { fmt, section, table, us, yes, type Section } from './report.js';

const GOAL_EOV = 30;

export function peersReport(p: PeerFigures | undefined, error: string | undefined): Section {
  const out = section();
  const L = out.lines;
  L.push('', '### Security cost against the peers, valid and invalid', '');
  if (!p) {
    out.goals.push({ goal: 'guard faster than every peer (valid and invalid)', figure: 'n/a', met: undefined, beforeKey: 'peersValid' });
    L.push(`Not measured in this run: ${error}`);
    return out;
  }
  const v = (k: string) => p[k]?.median ?? NaN;
  /** A stack's security cost: with minus without, and the noise of that difference (the two rounds' spreads added). */
  const diff = (w: string, wo: string) => ({ per: v(w), bare: v(wo), cost: v(w) - v(wo), noise: (p[w]?.spread ?? NaN) + (p[wo]?.spread ?? NaN) });
  const alone = (k: string) => ({ per: v(k), bare: NaN, cost: v(k), noise: 0 });
  const rows = [
    { label: 'generated guard, `authorize` alone (in-process)', guard: true, f: (s: string) => alone(s ? 'guardInvalid' : 'guardValid') },
    { label: 'fastify-openapi-glue, its security step alone (the preHandler it builds, in-process)', peer: 'fastify-openapi-glue', f: (s: string) => alone(s ? 'glueInvalid' : 'glueValid') },
    { label: 'Express + generated adapter `authMiddleware(guard)`', guard: true, f: (s: string) => diff(`guardExpress${s}`, `bareExpress${s}`) },
    { label: 'Express + hand-written check', f: (s: string) => diff(`handExpress${s}`, `bareExpress${s}`) },
    { label: 'Express + express-openapi-validator (security only)', peer: 'express-openapi-validator', f: (s: string) => diff(`eovExpress${s}`, `bareExpressEov${s}`) },
    { label: 'openapi-backend `handleRequest` (context: the difference is within the noise of its whole request; the ratio is taken from the step timed inside, below)', f: (s: string) => diff(`obSec${s}`, `obBare${s}`) },
    { label: 'generated guard, `authorize` timed inside (wall: the watch around the awaited call)', guard: true, inside: true, f: (s: string) => alone(s ? 'guardStepInvalid' : 'guardStepValid') },
    { label: 'openapi-backend, its security step timed inside (wall: from its `postRoutingHandler` hook to its `postSecurityHandler` hook)', peer: 'openapi-backend', inside: true, f: (s: string) => alone(s ? 'obStepInvalid' : 'obStepValid') },
    { label: 'Fastify + generated adapter `authHook(guard)`', guard: true, f: (s: string) => diff(`guardFastify${s}`, `bareFastify${s}`) },
    { label: 'Fastify + fastify-openapi-glue (the whole plugin)', f: (s: string) => diff(`glueFastify${s}`, `glueBare${s}`) },
  ];
  /** What a row's ratio divides by: `authorize`'s CPU figure, or for a step timed inside, `authorize` timed the same way. */
  const ref = (r: { inside?: boolean }, suffix: string) => v(r.inside ? `guardStep${suffix}` : `guard${suffix}`);
  const vs = (c: { cost: number; noise: number }, g: number) => (c.cost > c.noise ? `${fmt(c.cost / g, 1)}×` : 'within noise');
  const cell = (x: number) => (Number.isNaN(x) ? '' : Math.abs(x) >= 10_000 ? us(x / 1000, 2) : `${fmt(x, 0)} ns`);
  L.push(
    `Same petstore spec, same verifiers, request (a) (valid: \`X-API-Key: key-1\`, \`X-App-Id: app-1\`) and request (c') (invalid: the key refused, \`X-API-Key: wrong\`). Each stack is timed per request through its own stack (Express 5 via light-my-request injection; openapi-backend \`handleRequest\` with \`validate: false\`; Fastify 5 \`inject\`), and the same stack without security, timed in the same alternating group, is subtracted (express-openapi-validator has a group of its own: the garbage it leaves would otherwise be collected on the time of the next contender; fastify-openapi-glue's stack without security is the plugin given the spec with its security removed, so its route schemas and handlers stay). The generated guard is timed alone (\`authorize\`, the decision) and as the real adapters inside Express (\`app.use(authMiddleware(guard))\`) and Fastify (\`app.addHook('onRequest', authHook(guard))\`). fastify-openapi-glue's security step is the preHandler the plugin builds for the operation's requirements (captured from its route), called with a request carrying the headers; its handlers throw one shared error to refuse. CPU time per request, ${SAMPLE_SECONDS} s per sample, 5 rounds, median. "÷ \`authorize\`": the peer's security cost ÷ the guard's \`authorize\` on the same path ((a) valid, (c') invalid). openapi-backend's whole request costs some 80 µs, so its security cost as a difference of two requests is lost in their noise; its step is therefore also timed inside (bench/src/peers.ts \`insideContenders\`): openapi-backend calls a \`postRoutingHandler\` hook just before its security step and a \`postSecurityHandler\` hook just after it, and a stopwatch started at the end of the first and stopped at the start of the second times the step (plus one resumption of \`handleRequest\` after an await); the guard's \`authorize\` is timed the same way (the watch started before the call and stopped after the await of its decision, which also resumes once), and that row is its reference. Wall time (\`process.hrtime\`) summed over the calls of a round, ${SAMPLE_SECONDS} s per round, 5 rounds alternating, median.`,
    '',
  );
  L.push(
    ...table(
      ['contender', 'valid: per request', 'without security', 'security cost', '÷ `authorize` (a)', 'invalid: per request', 'without security', 'security cost', "÷ `authorize` (c')"],
      'lrrrrrrrr',
      rows.map((r) => {
        const a = r.f('');
        const i = r.f('Invalid');
        // Only the peers get a ratio: the guard's own rows and the hand-written check are context.
        const ratioCell = (c: { cost: number; noise: number }, g: number) => (r.peer ? vs(c, g) : r.guard && (r.label.includes('alone') || r.inside) ? '1×' : '');
        return [r.label, cell(a.per), cell(a.bare), cell(a.cost), ratioCell(a, ref(r, 'Valid')), cell(i.per), cell(i.bare), cell(i.cost), ratioCell(i, ref(r, 'Invalid'))];
      }),
    ),
  );
  const noisy = rows.filter((r) => !r.label.includes('alone') && !r.inside).map((r) => `${r.label} ±${us(r.f('').noise / 1000, 2)} / ±${us(r.f('Invalid').noise / 1000, 2)}`);
  L.push('', `The in-stack security costs are differences of two whole requests; their noise in this run (the median absolute deviations of the rounds of both figures, added; valid / invalid): ${noisy.join('; ')}. A cost within its noise gets no ratio ("within noise"); those ratios are less stable than the in-process ones.`);
  // Goals.
  {
    const eov = diff('eovExpress', 'bareExpressEov');
    const adapter = diff('guardExpress', 'bareExpress');
    const guardA = v('guardValid');
    const inProcess = eov.cost / guardA >= GOAL_EOV;
    const measurable = adapter.cost > adapter.noise;
    const inExpress = measurable ? eov.cost / adapter.cost >= GOAL_EOV : inProcess;
    const figure = `${fmt(eov.cost / guardA, 1)}× (\`authorize\`), ${measurable ? `${fmt(eov.cost / adapter.cost, 1)}×` : `within noise (${us(adapter.cost / 1000, 2)} ± ${us(adapter.noise / 1000, 2)})`} (adapter in Express)`;
    out.goals.push({ goal: 'guard ≥ 30× faster than express-openapi-validator', figure, met: inProcess, beforeKey: 'eov', ...(inProcess === inExpress ? {} : { verdict: `${yes(inProcess)} (\`authorize\`), ${yes(inExpress)} (adapter in Express)` }) });
  }
  for (const [suffix, what, key] of [['', 'valid', 'peersValid'], ['Invalid', 'invalid', 'peersInvalid']] as const) {
    const peers = rows.filter((r) => r.peer !== undefined).map((r) => ({ name: r.peer!, c: r.f(suffix), g: ref(r, suffix || 'Valid') }));
    const measured = peers.filter((x) => x.c.cost > x.c.noise);
    const figure = peers.map((x) => `${x.name} ${x.c.cost > x.c.noise ? `${fmt(x.c.cost / x.g, 1)}×` : 'within noise'}`).join(', ');
    const met = measured.every((x) => x.c.cost / x.g > 1);
    const unclear = peers.length - measured.length;
    out.goals.push({
      goal: `guard faster than every peer's security step, ${what} path (peer ÷ \`authorize\`)`,
      figure,
      met,
      beforeKey: key,
      ...(unclear > 0 && met ? { verdict: `met where measurable (${unclear} within noise)` } : {}),
    });
    if (!met) {
      out.where.push(
        `- **Peers, ${what} path.** ${measured.filter((x) => x.c.cost / x.g <= 1).map((x) => `${x.name}'s security step costs ${fmt(x.c.cost, 0)} ns against the guard's ${fmt(x.g, 0)} ns`).join('; ')}. fastify-openapi-glue's step is a loop over the requirement's alternatives awaiting the user's handlers, with no request view, no answer object and no 401 body (Fastify's error handler writes it); the guard's \`authorize\` builds its decision and, on a denial, the RFC 9457 body and the challenges.`,
      );
    }
  }
  return out;
}
