// The reference evaluator of the guard property test, written from the rules of
// BRIEF §2–3 and issue 3 ("Semantics"), not from the implementation. It decides on the
// abstract world (property-world.ts): which credential is absent / present / sent
// twice, what each verifier and binding check answers, and the `security` array as
// written.
//
//  R1  No requirement (public) → ok, anonymous, alternative -1, no principals, no calls.
//  R2  OR in spec order: the first alternative that fully succeeds wins. `alternative`
//      is its index in the `security` array as written, `{}` entries counted.
//  R3  A verifier is called only for an alternative whose credentials are all present
//      (present = sent, possibly invalid; absent = not sent at all). An alternative
//      with an absent credential is skipped without any call.
//  R4  AND stops at the first failure, in the alternative's order: a verifier
//      answering null/undefined/false fails; the members after the failing one are
//      not verified (for this alternative). An alternative with a member already known
//      bad (sent twice, or rejected in an earlier alternative) cannot hold: it fails
//      before any of its verifiers is called.
//  R5  Each scheme is verified at most once per request; a later alternative naming
//      the same scheme reuses the answer (a scheme that failed fails again, with no
//      new call; a principal is re-checked against that alternative's scopes).
//  B1  A requirement with two or more schemes is an AND group, keyed by its scheme
//      names in code-unit order joined with " + ". Once all its members verified, its
//      binding check receives their principals (keyed by scheme name) and decides
//      whether they belong together; only `true` binds (1, 'yes', {} do not). Not bound
//      → this alternative is invalid and the next one is tried. An `independent` group
//      has no check and behaves as plain AND.
//  B2  The binding check runs at most once per group key per request: a later
//      alternative with the same scheme set (other order or scopes) reuses the answer.
//  B3  Binding before scopes: a wrong pair that also lacks scopes is a 401; a right
//      pair without the scopes is a 403.
//  B4  A 401 names every bound group that was tried (all its credentials present) and
//      failed (a member sent twice or rejected, or not bound) in `invalidGroups`, and
//      lists all its members as `invalid` (not which one was wrong). Otherwise
//      `invalid` holds the credentials sent twice or rejected, `missing` those not sent
//      (of the schemes the operation names).
//  R6  Scopes are checked per alternative, once all its members verified (and bound).
//      Verified but scopes missing (and no later alternative succeeds) → 403; otherwise
//      401. (A member that fails verification after a scope-lacking one makes that
//      alternative "not verified", so it cannot produce a 403 by itself.)
//  R7  `{}` (optional): anonymous only when no credential of any scheme the operation
//      names is present (sent twice counts as present); with `anonymousOnInvalid: true`,
//      whenever no alternative succeeded. `alternative` is the index of the first `{}`.
//  R8  A verifier or binding check that throws or rejects makes `authorize` reject
//      (a `VerifierError` naming the scheme, or the group key with `binding: true`);
//      never ok:true. Nothing after it is called.
//  R9  bearer / oauth2 both read the one `Authorization: Bearer` token, Basic reads
//      `Authorization: Basic`; another auth-scheme word leaves them absent; the
//      Authorization header sent twice makes every Authorization-based scheme
//      present-invalid (a credential that arrives more than once is invalid; the
//      generated worlds send no value with two credentials on one line, which counts as
//      sent twice too: test/runtime/server.test.ts covers it).
//  P1  A 401 also lists every requirement object but `{}` as `alternatives`, in the
//      order written, each with its index as written, its schemes in the order the
//      object names them, and of those the ones `missing` and `invalid` (as B4 says for
//      the whole operation: a failed group's members are invalid everywhere).
//  P2  The 401's detail: "not accepted" when a credential of any scheme the operation
//      names was sent; else "those sent are not ones it accepts" when the request
//      carries an Authorization header (any) or the key of an apiKey scheme of the
//      spec that the operation does not name; else "none were sent".
import { ANON, groupKey, isApiKey, isRequirement, opKind, type Binding, type Outcome, type SchemeDef, type World } from './property-world.js';

export type CredState = { readonly state: 'absent' } | { readonly state: 'invalid' } | { readonly state: 'present'; readonly value: unknown };

/** R9 and the apiKey states: what the request carries for one scheme. */
export function credentialOf(w: World, s: SchemeDef): CredState {
  if (isApiKey(s.kind)) {
    if (s.cred.type === 'absent') return { state: 'absent' };
    if (s.cred.type === 'dup') return { state: 'invalid' };
    return { state: 'present', value: s.cred.value };
  }
  const a = w.auth;
  if (a.type === 'dup') return { state: 'invalid' };
  if (s.kind === 'basic') return a.type === 'basic' ? { state: 'present', value: { username: a.user, password: a.pass } } : { state: 'absent' };
  return a.type === 'bearer' ? { state: 'present', value: a.token } : { state: 'absent' };
}

export interface ExpectedCall {
  readonly credential: unknown;
  /** Scopes of the use whose verification triggered the call. */
  readonly scopes: readonly string[];
}

/** B1: a binding check call; `members` are the schemes whose principals it receives. */
export interface ExpectedBindingCall {
  readonly members: readonly string[];
}

/** B4: what a 401 body names, as scheme names (sorted) and group keys (sorted). */
export interface ExpectedProblem {
  readonly missing: readonly string[];
  readonly invalid: readonly string[];
  readonly invalidGroups: readonly string[];
  /** P1: scheme names, in each requirement's order. */
  readonly alternatives: readonly { readonly index: number; readonly schemes: readonly string[]; readonly missing: readonly string[]; readonly invalid: readonly string[] }[];
  /** P2 */
  readonly detail: 'none sent' | 'others sent' | 'not accepted';
}

/** Which rules a world exercised (coverage bookkeeping only; not compared). */
export interface Trace {
  /** R5: a verifier answer reused by a later alternative. */
  reused: number;
  /** R4: an alternative stopped with members left unverified. */
  andStops: number;
  /** B1: a binding check answered something other than `true`. */
  notBound: number;
  /** B1: … and that answer was truthy (1, 'yes', {}). */
  truthyNotTrue: number;
  /** B2: a binding answer reused by a later alternative. */
  bindingShared: number;
  /** B1: an `independent` group got past the binding step. */
  independentPassed: number;
  /** R2: the winner's written index differs from its rank among requirement objects. */
  shifted: number;
}

interface Common {
  readonly calls: ReadonlyMap<string, ExpectedCall>;
  readonly bindingCalls: ReadonlyMap<string, ExpectedBindingCall>;
  readonly trace: Trace;
}

export type Expected =
  | (Common & { readonly kind: 'ok'; readonly alternative: number; readonly anonymous: boolean; readonly principals: readonly string[] })
  | (Common & { readonly kind: 'fail'; readonly status: 401; readonly problem: ExpectedProblem })
  | (Common & { readonly kind: 'fail'; readonly status: 403 })
  | (Common & { readonly kind: 'throws'; readonly scheme: string; readonly binding: boolean });

export function reference(w: World): Expected {
  const byName = new Map(w.schemes.map((s) => [s.name, s] as const));
  const scheme = (name: string): SchemeDef => {
    const s = byName.get(name);
    if (!s) throw new Error(`test bug: unknown scheme ${name}`);
    return s;
  };
  const bindingOf = (key: string): Binding => {
    const b = w.bindings.get(key);
    if (!b) throw new Error(`test bug: no binding for group ${key}`);
    return b;
  };
  const calls = new Map<string, ExpectedCall>();
  const bindingCalls = new Map<string, ExpectedBindingCall>();
  const trace: Trace = { reused: 0, andStops: 0, notBound: 0, truthyNotTrue: 0, bindingShared: 0, independentPassed: 0, shifted: 0 };
  const common = { calls, bindingCalls, trace };
  const kind = opKind(w.op);
  // R1
  if (kind === 'public') return { kind: 'ok', alternative: -1, anonymous: true, principals: [], ...common };
  // R5: one answer per scheme per request; B2: one binding answer per group key.
  const answers = new Map<string, Outcome>();
  const bound = new Map<string, boolean>();
  const failedGroups = new Map<string, readonly string[]>();
  let forbidden = false;
  let rank = 0;
  // R2: walk the array as written; `{}` entries are R7's.
  for (const [index, entry] of w.op.written.entries()) {
    if (!isRequirement(entry)) continue;
    const requirement = entry;
    const myRank = rank++;
    // R3
    if (requirement.some((use) => credentialOf(w, scheme(use.scheme)).state === 'absent')) continue;
    const key = groupKey(requirement);
    const binding = key === undefined ? undefined : bindingOf(key);
    const isBound = binding !== undefined && binding.type !== 'independent';
    // R4
    const knownBad = requirement.some((use) => {
      const answer = answers.get(use.scheme);
      return credentialOf(w, scheme(use.scheme)).state === 'invalid' || (answer !== undefined && answer.type !== 'valid');
    });
    let verified = !knownBad;
    if (knownBad) trace.reused++;
    for (const [position, use] of knownBad ? [] : requirement.entries()) {
      const s = scheme(use.scheme);
      const cred = credentialOf(w, s);
      let answer = cred.state === 'present' ? answers.get(s.name) : undefined;
      if (cred.state === 'present' && answer === undefined) {
        calls.set(s.name, { credential: cred.value, scopes: use.scopes });
        answer = s.behavior.outcome;
        // R8
        if (answer.type === 'throws') return { kind: 'throws', scheme: s.name, binding: false, ...common };
        answers.set(s.name, answer);
      } else if (answer !== undefined) {
        trace.reused++;
      }
      if (answer?.type !== 'valid') {
        if (position < requirement.length - 1) trace.andStops++;
        verified = false;
        break;
      }
    }
    if (!verified) {
      if (isBound && key !== undefined) failedGroups.set(key, requirement.map((u) => u.scheme)); // B4
      continue;
    }
    // B1, B2
    if (key !== undefined && binding !== undefined) {
      if (binding.type === 'independent') {
        trace.independentPassed++;
      } else {
        let together = bound.get(key);
        if (together === undefined) {
          bindingCalls.set(key, { members: requirement.map((u) => u.scheme) });
          // R8
          if (binding.type === 'throws') return { kind: 'throws', scheme: key, binding: true, ...common };
          together = binding.value === true;
          if (!together && binding.value) trace.truthyNotTrue++;
          bound.set(key, together);
        } else {
          trace.bindingShared++;
        }
        if (!together) {
          trace.notBound++;
          failedGroups.set(key, requirement.map((u) => u.scheme)); // B4
          continue;
        }
      }
    }
    // R6 (after B1: B3)
    const granted = requirement.every((use) => {
      const answer = answers.get(use.scheme);
      const has = answer?.type === 'valid' ? (answer.scopes ?? []) : [];
      return use.scopes.every((scope) => has.includes(scope));
    });
    if (granted) {
      if (index !== myRank) trace.shifted++;
      return { kind: 'ok', alternative: index, anonymous: false, principals: requirement.map((u) => u.scheme), ...common };
    }
    forbidden = true;
  }
  const named = [...new Set(w.op.written.flatMap((entry) => (isRequirement(entry) ? entry.map((u) => u.scheme) : [])))];
  // R7
  if (kind === 'optional') {
    const anyPresent = named.some((name) => credentialOf(w, scheme(name)).state !== 'absent');
    if (w.anonymousOnInvalid || !anyPresent) return { kind: 'ok', alternative: w.op.written.indexOf(ANON), anonymous: true, principals: [], ...common };
  }
  if (forbidden) return { kind: 'fail', status: 403, ...common };
  // B4
  const invalid = new Set<string>();
  for (const name of named) {
    if (credentialOf(w, scheme(name)).state === 'invalid' || answers.get(name)?.type === 'invalid') invalid.add(name);
  }
  for (const members of failedGroups.values()) for (const name of members) invalid.add(name);
  const absent = (name: string) => credentialOf(w, scheme(name)).state === 'absent';
  // P1
  const alternatives: ExpectedProblem['alternatives'][number][] = [];
  for (const [index, entry] of w.op.written.entries()) {
    if (!isRequirement(entry)) continue;
    const schemes = entry.map((u) => u.scheme);
    alternatives.push({ index, schemes, missing: schemes.filter((name) => !invalid.has(name) && absent(name)), invalid: schemes.filter((name) => invalid.has(name)) });
  }
  // P2
  const othersSent = w.auth.type !== 'absent' || w.schemes.some((s) => isApiKey(s.kind) && !named.includes(s.name) && credentialOf(w, s).state !== 'absent');
  const problem: ExpectedProblem = {
    missing: named.filter(absent).sort(),
    invalid: [...invalid].sort(),
    invalidGroups: [...failedGroups.keys()].sort(),
    alternatives,
    detail: !named.every(absent) ? 'not accepted' : othersSent ? 'others sent' : 'none sent',
  };
  return { kind: 'fail', status: 401, problem, ...common };
}
