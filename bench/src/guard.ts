// Family 2: the guard decision, in-process. The generated guard's `authorize` (and
// `match` + `authorize`) against the hand-written functions of guard-contenders.ts,
// the same requests and async verifiers, CPU time per call (timing.ts), and, when
// callgrind ran, instructions per call next to it (instructions-guard.ts).
import { isDeepStrictEqual } from 'node:util';
import { SAMPLE_SECONDS, log } from './config.js';
import type { GeneratedGuard } from './generated.js';
import { scenarios, valid, or3Headers, type Scenario } from './guard-contenders.js';
import type { InstructionCounts } from './instructions.js';
import { count, fmt, ns, ratio, section, table, yes, type Section } from './report.js';
import { cpuOf, rounds } from './timing.js';

export const GOAL_HAND = 1.5;
const GOAL_KEYS: Record<Exclude<Scenario['key'], 'bLax'>, string> = { a: 'guardA', b: 'guardB', c: 'guardC', cInvalid: 'guardCInvalid', d20: 'guardD', d800: 'guardD' };

export interface GuardRow {
  key: Scenario['key'];
  label: string;
  guard: number;
  hand: number;
  spread: { guard: number; hand: number };
}
export interface GuardResult {
  rows: GuardRow[];
  match: Record<'m20' | 'm800' | 'hand20' | 'hand800', number>;
}

const check = (cond: boolean, what: string) => {
  if (!cond) throw new Error(`bench set-up is wrong: ${what}`);
};

/** Sanity first (every contender decides the same way, field for field), then the rounds. */
export async function measureGuard(pet: GeneratedGuard, s20: GeneratedGuard, s800: GeneratedGuard): Promise<GuardResult> {
  const { rows, match, petGuard, g20 } = scenarios(pet, s20, s800);
  check((await petGuard.authorize('listPets', { headers: valid })).ok === true, 'petstore AND valid');
  check((await petGuard.authorize('listPets', { headers: {} })).status === 401, 'petstore denial');
  check((await g20.authorize('or3', { headers: or3Headers })).ok === true, 'or3 passes on the last alternative');
  for (const r of rows) {
    const [x, y] = [await r.guard(), await r.hand()];
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(x)), JSON.parse(JSON.stringify(y)))) throw new Error(`bench set-up is wrong: ${r.label}: guard ${JSON.stringify(x)} vs hand-written ${JSON.stringify(y)}`);
  }
  check(match.m20() === 'op19' && match.hand20() === 'op19', 'route 20');
  check(match.m800() === 'op799' && match.hand800() === 'op799', 'route 800');
  log('guard: in-process decision cost');
  const out: GuardRow[] = [];
  for (const r of rows) {
    const t = await rounds({ guard: r.guard, hand: r.hand }, { seconds: SAMPLE_SECONDS });
    out.push({ key: r.key, label: r.label, guard: t.guard.cpu.median, hand: t.hand.cpu.median, spread: { guard: t.guard.cpu.spread, hand: t.hand.cpu.spread } });
  }
  // Route matching alone, synchronous (no promise hop), next to the hand-written router.
  const m = cpuOf(await rounds(match, { seconds: SAMPLE_SECONDS, sync: true }));
  return { rows: out, match: m };
}

export function guardReport(g: GuardResult | undefined, error: string | undefined, instr: InstructionCounts | undefined): Section {
  const out = section();
  const L = out.lines;
  L.push('## Guard decision (in-process, async verifiers)', '');
  L.push(
    `ns per request = CPU time of the bench process (user + system) ÷ calls, ${SAMPLE_SECONDS} s per sample, 5 rounds alternating the two contenders of a row, median of the rounds (± the median absolute deviation of the rounds). Every contender gets the same request object and the same async verifiers (\`async (key) => key === 'key-1' ? principal : null\`); the ApiKey + AppId group is marked \`independent\` (no binding check), since the hand-written functions and the peers check the two keys separately. Instructions per call: callgrind, see "Instruction counts" below.`,
    '',
  );
  if (!g) {
    out.goals.push({ goal: 'guard ≤ 1.5× hand-written', figure: 'n/a', met: undefined });
    L.push(`Not measured in this run: ${error}`);
    return out;
  }
  const ir = (k: string, who: 'guard' | 'hand') => instr?.guard?.[k]?.[who]?.ir;
  const irRatio = (k: string) => {
    const x = ir(k, 'guard');
    const y = ir(k, 'hand');
    return x === undefined || y === undefined ? undefined : x / y;
  };
  // One goal row per scenario of the issue; (d) is one goal over its two sizes (worst).
  for (const key of ['a', 'b', 'c', 'cInvalid', 'd'] as const) {
    const rs = g.rows.filter((r) => (key === 'd' ? r.key.startsWith('d') : r.key === key));
    const label = key === 'd' ? '(d) match + authorize (20 and 800 operations)' : rs[0]!.label;
    const irs = rs.map((r) => irRatio(r.key));
    const timeMet = rs.every((r) => r.guard / r.hand <= GOAL_HAND);
    const irMet = instr?.guard ? irs.every((x) => x !== undefined && x <= GOAL_HAND) : undefined;
    out.goals.push({
      goal: `guard ≤ 1.5× hand-written: ${label}`,
      figure: rs.map((r) => `${fmt(r.guard / r.hand)}×`).join(', '),
      instructions: instr?.guard ? irs.map((x) => `${fmt(x)}×`).join(', ') : (instr?.skipped ?? 'not counted'),
      met: timeMet,
      beforeKey: GOAL_KEYS[key === 'd' ? 'd20' : key],
      // The verdict is the CPU time's; when the instruction count (the figure that does not
      // move with the machine's load) says otherwise, the cell says both.
      ...(irMet === undefined || irMet === timeMet ? {} : { verdict: `${yes(timeMet)} by CPU time, ${irMet ? 'met' : '**not met**'} by instructions` }),
    });
  }
  L.push(`Goal: ≤ ${GOAL_HAND}× the hand-written function, in each scenario.`, '');
  L.push(
    ...table(
      ['scenario', 'generated guard', 'hand-written', 'ratio', 'guard, instructions per call', 'hand-written, instructions per call', 'instruction ratio'],
      'lrrrrrr',
      g.rows.map((r) => [
        r.label,
        `${ns(r.guard)} ± ${fmt(r.spread.guard, 0)}`,
        `${ns(r.hand)} ± ${fmt(r.spread.hand, 0)}`,
        ratio(r.guard / r.hand, GOAL_HAND),
        count(ir(r.key, 'guard')),
        count(ir(r.key, 'hand')),
        irRatio(r.key) === undefined ? 'n/a' : ratio(irRatio(r.key)!, GOAL_HAND),
      ]),
    ),
  );
  L.push(
    '',
    "The hand-written functions (bench/src/guard-contenders.ts `handAnd`, `handOr3`) are what a careful developer writes for the same rules: they read the same headers case-insensitively, treat a repeated or empty header as invalid, pass a Bearer token to its verifier only when it has RFC 6750's b64token syntax (`handOr3`; the row \"against the earlier contender\" shows the guard against the version before 2026-12-03, which passed any token), call the same verifiers in the same order with the same context object, and return answers of the guard's shape (on success `{ ok, operationId, alternative, anonymous, principals }`; on a denial the 401 with its `WWW-Authenticate` challenges and an RFC 9457 body naming the missing and refused credentials, overall and per alternative, from constants written for this spec; (c') is `handAnd` given a wrong key, answering the guard's 401 body for a refused key, checked field for field before timing). They know the spec at the time they are written; the guard reads it from the generated tables.",
  );
  const mm = g.match;
  L.push(
    '',
    `Route matching alone (synchronous \`guard.match\` of the last operation, no promise hop; in (d) and here both routers get fresh, non-interned path strings, as from an HTTP parser): 20 operations ${ns(mm.m20)}, 800 operations ${ns(mm.m800)}, ratio ${fmt(mm.m800 / mm.m20)} for 40× the operations (${mm.m800 / mm.m20 <= 2 ? 'not linear in the number of operations' : '**grows with the number of operations**'}); the hand-written router (a Map on the first segment, then regexps) ${ns(mm.hand20)} and ${ns(mm.hand800)}.`,
  );
  out.goals.push({ goal: 'route matching not linear in operations', figure: `800 ÷ 20 operations: ${fmt(mm.m800 / mm.m20)}×`, met: mm.m800 / mm.m20 <= 2, beforeKey: 'routing' });
  if (g.rows.some((r) => r.key !== 'bLax' && r.guard / r.hand > GOAL_HAND)) {
    out.where.push(
      "- **Guard vs hand-written.** Both pay the same promise hops (one `await` per async verifier; the promise machinery's builtins count the same on both sides). What is left is the table-driven bookkeeping a function written for one spec does not need. Per call (callgrind with node's `--perf-basic-prof` map: JIT code by function, builtins by name), in (a): the evaluator entered once per awaited verifier (about 1,000 instructions for three entries, each reloading its plan and state; its verifier call site sees every verifier, so none is inlined), the credential extraction behind the source switch (about 500 for two header reads), the per-request state (its allocation and the copy of the plan's slot template, 100 to 200), the plan lookup (a `Map`, about 70) and the verifier context objects (about 60 each). In (b), also the Authorization header (the word found and compared, and the b64token syntax, whose regular expression costs about 500 for a short token, which the contender now pays too) and the third await. In (c), the 401 asks every header the operation could carry plus Authorization and Cookie, to tell \"none sent\" from \"others sent\", which the hand-written function does not. CPU time ratios can run above the instruction ratios: the guard allocates about 1.5 KB per decision (a) against the hand-written 1.1 KB (`node bench/profile-guard.mjs`), and fresh memory costs cache misses that an instruction count does not see. This round (counted with V8's seeds fixed, so one build gives one count): an Authorization value is tested for a comma before anything else is asked ((b) −81 instructions), and the per-request state stores its fields in one go ((a) −8, (c) −17: a call or a load from another object between two field stores made V8 give the new object a hidden class per store, each with its write barrier). Tried this round and measured no better: `drive` as one closure taking a flag, or as a module function, instead of one closure per ending ((a) +0 to +50: an async function's optimized code still walks up five scopes for each module name it uses); the guard's options without a default parameter value (−5, inside the count's former spread); the Authorization word compared in place (`startsWith`, or a character loop) instead of cut out and compared ((b) +120 to +140). Earlier rounds took off the lookup of `then` when a decision's promise resolves ((a) −215, (c) −275: the pending test reads the answer's `ok`, so the compiler knows the answer's class), class-field initializers on the state (~250), a seventeenth state field (~190), re-checking presence after each await (~400), a spread principals template (~100), symbol compares, `for…of` on the denial path, the lookup in the empty cookie map and a lower-cased copy of the Authorization word; measured worse then: one pass over the header record for all of an operation's header names ((a) +370), the evaluator as one async function awaiting each verifier in place instead of `step` re-entered by `drive` ((a) +60, (b) +370: an async function with many live values costs more to suspend and resume than the re-entry). A character scan instead of the b64token expression is cheaper only below about 20 characters (callgrind per call, scan against expression: 5 characters 221 against 502, 32 characters 1,031 against 826, 200 characters 6,071 against 2,842), shorter than real tokens, so the expression stays. `node bench/profile-guard.mjs` splits the synchronous part from the async one and counts bytes per call; add `--cpu-prof` for a profile.",
    );
  }
  return out;
}
