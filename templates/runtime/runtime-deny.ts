// The failure answer of one evaluation: 403 with the scopes of the first alternative
// that verified but lacked them, else 401 listing what was missing and what was not
// accepted, with the challenges (RFC 9110 §11.6.1, RFC 6750 §3.1). A bound AND group
// that was tried and failed (a member rejected, or the binding check said no) is
// reported as a whole: all its members invalid and the group named, so the answer
// does not tell which of a key and an App ID was wrong. Besides the flat lists, the
// 401 keeps the OR-of-AND structure: `alternatives`, one per requirement object, with
// what each lacked and what was not accepted (a failed group's members all invalid
// there too). Its `detail` says "none were sent" only when the request carries no
// credential at all the guard can see (runtime-extract.ts `otherCredentialSent`).
// Also why it failed, for `onDecision`. Never a credential value.
import { NONE_SENT, NOT_ACCEPTED, OTHERS_SENT, PROBLEM_CONTENT_TYPE } from './runtime-problem.js';
import { ABSENT, INVALID, PRESENT, type CompiledAlternative, type CompiledScheme } from './runtime-plan.js';
import { anyCredentialSent, otherCredentialSent, stateOf, type Evaluation } from './runtime-extract.js';
import type { AuthFailure, DecisionReason, GuardOptions, ProblemAlternative, ProblemBody, ProblemLocation } from './runtime-types.js';

/** Whether a bound group's alternative was tried (all credentials present) and failed. */
function groupFailed(ev: Evaluation, alternative: CompiledAlternative): boolean {
  const group = alternative.group;
  if (group === undefined) return false;
  for (const use of alternative.uses) if (ev.states[use.local] !== PRESENT && ev.states[use.local] !== INVALID) return false;
  if (ev.slots[group.slot] === false) return true;
  for (const use of alternative.uses) if (ev.states[use.local] === INVALID || ev.slots[ev.n + use.local] === false) return true;
  return false;
}

export function createDeny(options: GuardOptions, utf8: TextDecoder): (ev: Evaluation) => AuthFailure {
  const shapeProblem = options.problem;
  return (ev) => {
    const plan = ev.plan;
    let body: ProblemBody;
    let status: 401 | 403;
    let challenge: string;
    if (ev.forbidden !== -1) {
      const alternative = plan.alternatives[ev.forbidden] as CompiledAlternative;
      status = 403;
      challenge = alternative.forbiddenHeader;
      body = {
        type: 'about:blank',
        title: 'Forbidden',
        status,
        detail: 'The credentials are valid but do not grant the scopes this operation requires.',
        requiredScopes: alternative.requiredScopes,
      };
    } else {
      if (shapeProblem === undefined && !anyCredentialSent(ev, utf8)) return otherCredentialSent(ev) ? plan.otherCredentials : plan.noCredentials;
      status = 401;
      const missing: ProblemLocation[] = [];
      const invalid: boolean[] = [];
      for (let i = 0; i < plan.schemes.length; i++) {
        const state = stateOf(ev, i, utf8);
        invalid.push(state === INVALID || (state !== ABSENT && ev.slots[ev.n + i] === false));
      }
      const groups: string[] = [];
      for (const alternative of plan.alternatives) {
        if (!groupFailed(ev, alternative)) continue;
        const key = (alternative.group as { key: string }).key;
        if (!groups.includes(key)) groups.push(key);
        for (const use of alternative.uses) invalid[use.local] = true;
      }
      const invalidAt: ProblemLocation[] = [];
      let tokenFailed = false;
      for (let i = 0; i < plan.schemes.length; i++) {
        const scheme = plan.schemes[i] as CompiledScheme;
        if (invalid[i] === true) {
          invalidAt.push(scheme.location);
          if (scheme.bearerFamily) tokenFailed = true;
        } else if (ev.states[i] === ABSENT) missing.push(scheme.location);
      }
      const alternatives: ProblemAlternative[] = [];
      for (const alternative of plan.alternatives) {
        const schemes: ProblemLocation[] = [];
        const lacked: ProblemLocation[] = [];
        const refused: ProblemLocation[] = [];
        for (const use of alternative.uses) {
          const location = use.scheme.location;
          schemes.push(location);
          if (invalid[use.local] === true) refused.push(location);
          else if (ev.states[use.local] === ABSENT) lacked.push(location);
        }
        alternatives.push({ index: alternative.index, schemes, missing: lacked, invalid: refused });
      }
      challenge = tokenFailed ? plan.challengeInvalidToken : plan.challenge;
      body = {
        type: 'about:blank',
        title: 'Unauthorized',
        status,
        detail: missing.length < plan.schemes.length ? NOT_ACCEPTED : otherCredentialSent(ev) ? OTHERS_SENT : NONE_SENT,
        ...(missing.length > 0 ? { missing } : {}),
        ...(invalidAt.length > 0 ? { invalid: invalidAt } : {}),
        ...(groups.length > 0 ? { invalidGroups: groups } : {}),
        alternatives,
      };
    }
    if (shapeProblem) body = shapeProblem(body, { operationId: plan.operationId, status, request: ev.request });
    return { ok: false, status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }, body };
  };
}

/** Why an evaluation that ended in `failure` failed (for `onDecision`). */
export function denialReason(ev: Evaluation, failure: AuthFailure, utf8: TextDecoder): DecisionReason {
  if (failure.status === 403) return ev.forbidden === -1 ? 'refused' : 'scope';
  if (!anyCredentialSent(ev, utf8)) return 'missing';
  for (const alternative of ev.plan.alternatives) {
    if (alternative.group !== undefined && ev.slots[alternative.group.slot] === false) return 'binding';
  }
  for (let i = 0; i < ev.n; i++) if (ev.states[i] === INVALID || ev.slots[ev.n + i] === false) return 'invalid';
  return 'incomplete';
}
