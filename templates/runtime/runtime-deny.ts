// The failure answers of the guard. For one evaluation: 403 with the scopes of the
// first alternative that verified but lacked them, else 401 listing what was missing
// and what was not accepted, with the challenges (RFC 9110 §11.6.1, RFC 6750 §3.1). A
// bound AND group that was tried and failed (a member rejected, or the binding check
// said no) is reported as a whole: all its members invalid and the group named, so the
// answer does not tell which of a key and an App ID was wrong. Besides the flat lists,
// the 401 keeps the OR-of-AND structure: `alternatives`, one per requirement object,
// with what each lacked and what was not accepted (a failed group's members all
// invalid there too). Its `detail` says "none were sent" only when the request carries
// no credential at all the guard can see (runtime-extract.ts `otherCredentialSent`).
// Also why it failed, for `onDecision`. Then the answers that are not about the
// credentials: 503 when a verifier, binding check or the `limit` hook threw an
// `UnavailableError`, and the `limit` step itself (429 on a refusal, its headers on a
// success). Never a credential value, never a thrown error's message.
import { NONE_SENT, NOT_ACCEPTED, OTHERS_SENT, PROBLEM_CONTENT_TYPE, RATE_LIMITED_DETAIL, SCOPES_MISSING, UNAVAILABLE_DETAIL, frozenUnauthorized, problemTitle, retryAfterSeconds } from './runtime-problem.js';
import { ABSENT, INVALID, PRESENT, type CompiledAlternative, type CompiledScheme, type CompiledUse } from './runtime-plan.js';
import { anyCredentialSent, otherCredentialSent, stateAt, stateOf, type Evaluation } from './runtime-extract.js';
import { isThenable } from './runtime-context.js';
import { VerifierError, isUnavailable, type AuthFailure, type AuthResult, type AuthSuccess, type DecisionReason, type GuardOptions, type ProblemAlternative, type ProblemBody, type ProblemContext, type ProblemLocation } from './runtime-types.js';

// The request as the types name it, without importing runtime-request.ts (the manifest
// row of this file lists what it imports).
type AuthRequest = ProblemContext['request'];

/** Whether a bound group's alternative was tried (all credentials present) and failed. */
function groupFailed(ev: Evaluation, alternative: CompiledAlternative): boolean {
  const group = alternative.group;
  if (group === undefined) return false;
  // Indexed loops: on the denial path `for…of` cost about 40 instructions a loop (measured).
  const uses = alternative.uses;
  for (let u = 0; u < uses.length; u++) {
    const state = stateAt(ev, (uses[u] as CompiledUse).local);
    if (state !== PRESENT && state !== INVALID) return false;
  }
  if (ev.slots[group.slot] === false) return true;
  for (let u = 0; u < uses.length; u++) {
    const local = (uses[u] as CompiledUse).local;
    if (stateAt(ev, local) === INVALID || ev.slots[ev.n + local] === false) return true;
  }
  return false;
}

/** How many 401s a plan keeps built (`Plan.denials`); past that, a new pattern's is built per request. */
const DENIALS_KEPT = 64;

/** Largest weight `denialKey` uses: keys stay exact integers (below 2^53). */
const MAX_KEY = 2 ** 52;

/** Schemes an operation may have for `denialKey`'s bitmask (a 32-bit int, sign bit left alone). */
const MAX_KEYED_SCHEMES = 30;

/**
 * The pattern a 401 depends on, as a number, or -1 when it does not fit: a bit per
 * alternative with a bound group (whether that group failed), then per scheme base 3
 * whether its credential was refused (2, failed groups' members included), missing (1)
 * or neither (0). Without a `problem` hook the body is a function of it alone (its
 * `detail` is NOT_ACCEPTED whenever some credential of the operation was sent), so the
 * plan keeps the answer built for each key; computing it allocates nothing.
 */
function denialKey(ev: Evaluation, utf8: TextDecoder): number {
  const plan = ev.plan;
  const n = plan.schemes.length;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const state = stateOf(ev, i, utf8);
    if (state === INVALID || (state !== ABSENT && ev.slots[ev.n + i] === false)) refused |= 1 << i;
  }
  let key = 0;
  let weight = 1;
  const alternatives = plan.alternatives;
  for (let a = 0; a < alternatives.length; a++) {
    const alternative = alternatives[a] as CompiledAlternative;
    if (alternative.group === undefined) continue;
    if (groupFailed(ev, alternative)) {
      key += weight;
      const uses = alternative.uses;
      for (let u = 0; u < uses.length; u++) refused |= 1 << (uses[u] as CompiledUse).local;
    }
    weight *= 2;
    if (weight > MAX_KEY) return -1;
  }
  for (let i = 0; i < n; i++) {
    key += weight * ((refused & (1 << i)) !== 0 ? 2 : stateAt(ev, i) === ABSENT ? 1 : 0);
    weight *= 3;
    if (weight > MAX_KEY) return -1;
  }
  return key;
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
      if (shapeProblem === undefined) return alternative.forbidden;
      status = 403;
      challenge = alternative.forbiddenHeader;
      body = {
        type: 'about:blank',
        title: 'Forbidden',
        status,
        detail: SCOPES_MISSING,
        requiredScopes: alternative.requiredScopes,
      };
    } else {
      if (shapeProblem === undefined && !anyCredentialSent(ev, utf8)) return otherCredentialSent(ev) ? plan.otherCredentials : plan.noCredentials;
      const n = plan.schemes.length;
      // Some credential of the operation was sent (above): the answer built for the same
      // pattern before is this one too.
      const key = shapeProblem === undefined && n <= MAX_KEYED_SCHEMES ? denialKey(ev, utf8) : -1;
      if (key !== -1) {
        const built = plan.denials.get(key);
        if (built !== undefined) return built;
      }
      status = 401;
      const missing: ProblemLocation[] = [];
      const invalid: boolean[] = [];
      for (let i = 0; i < n; i++) {
        const state = stateOf(ev, i, utf8);
        invalid.push(state === INVALID || (state !== ABSENT && ev.slots[ev.n + i] === false));
      }
      const groups: string[] = [];
      for (const alternative of plan.alternatives) {
        if (!groupFailed(ev, alternative)) continue;
        const groupName = (alternative.group as { key: string }).key;
        if (!groups.includes(groupName)) groups.push(groupName);
        for (const use of alternative.uses) invalid[use.local] = true;
      }
      const invalidAt: ProblemLocation[] = [];
      let tokenFailed = false;
      for (let i = 0; i < n; i++) {
        const scheme = plan.schemes[i] as CompiledScheme;
        if (invalid[i] === true) {
          invalidAt.push(scheme.location);
          if (scheme.bearerFamily) tokenFailed = true;
        } else if (stateAt(ev, i) === ABSENT) missing.push(scheme.location);
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
          else if (stateAt(ev, use.local) === ABSENT) lacked.push(location);
        }
        alternatives.push({ index: alternative.index, schemes, missing: lacked, invalid: refused });
      }
      challenge = tokenFailed ? plan.challengeInvalidToken : plan.challenge;
      body = {
        type: 'about:blank',
        title: 'Unauthorized',
        status,
        detail: missing.length < n ? NOT_ACCEPTED : otherCredentialSent(ev) ? OTHERS_SENT : NONE_SENT,
        ...(missing.length > 0 ? { missing } : {}),
        ...(invalidAt.length > 0 ? { invalid: invalidAt } : {}),
        ...(groups.length > 0 ? { invalidGroups: groups } : {}),
        alternatives,
      };
      if (key !== -1) {
        const failure = frozenUnauthorized(challenge, body);
        if (plan.denials.size < DENIALS_KEPT) plan.denials.set(key, failure);
        return failure;
      }
    }
    if (shapeProblem) body = shapeProblem(body, { operationId: plan.operationId, status, request: ev.request });
    return { ok: false, status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }, body };
  };
}

/** Why an evaluation that ended in `failure` failed (for `onDecision`). */
export function denialReason(ev: Evaluation, failure: AuthFailure, utf8: TextDecoder): DecisionReason {
  if (failure.status === 503) return 'unavailable';
  if (failure.status === 429) return 'rate-limited';
  if (failure.status === 403) return ev.forbidden === -1 ? 'refused' : 'scope';
  if (!anyCredentialSent(ev, utf8)) return 'missing';
  for (const alternative of ev.plan.alternatives) {
    if (alternative.group !== undefined && ev.slots[alternative.group.slot] === false) return 'binding';
  }
  for (let i = 0; i < ev.n; i++) if (stateAt(ev, i) === INVALID || ev.slots[ev.n + i] === false) return 'invalid';
  return 'incomplete';
}

/**
 * A 429 or 503 answer: a generic problem (reshaped by `problem`, which sees the status)
 * with `Retry-After`. `extra` (a `limit` hook's headers, already checked) cannot
 * replace `content-type` or `retry-after`. Built per request: `Retry-After` varies.
 */
function retryLater(status: 429 | 503, retryAfter: unknown, extra: Readonly<Record<string, string>>, operationId: string, request: AuthRequest, shapeProblem: GuardOptions['problem']): AuthFailure {
  let body: ProblemBody = { type: 'about:blank', title: problemTitle(status), status, detail: status === 429 ? RATE_LIMITED_DETAIL : UNAVAILABLE_DETAIL };
  if (shapeProblem !== undefined) body = shapeProblem(body, { operationId, status, request });
  return { ok: false, status, headers: { ...extra, 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': retryAfterSeconds(retryAfter) }, body };
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The 503 answer to an `UnavailableError` (of any generated folder: `isUnavailable`); only its `retryAfter` is read. */
export function unavailable(error: unknown, operationId: string, request: AuthRequest, shapeProblem: GuardOptions['problem']): AuthFailure {
  return retryLater(503, (error as { retryAfter?: unknown }).retryAfter, NO_HEADERS, operationId, request, shapeProblem);
}

/** RFC 9110 §5.1 field-name (token) and §5.5 field-value: a CR or LF would split the response. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Fields a hook never sets: `content-type` and `retry-after` are the guard's, and the
 * framing and hop-by-hop fields (RFC 9110 §7.6.1, RFC 9112 §6) are the server's: a hook's
 * `content-length` on a success would split the handler's body into a second response
 * on a kept-alive connection (review finding).
 */
const GUARD_FIELDS = new Set(['content-type', 'retry-after', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/**
 * A `limit` hook's headers as the adapters will send them: names lower-cased (two
 * spellings of one name cannot both go out), the `GUARD_FIELDS` dropped, values checked
 * here so a bad one is the hook's error (500) rather than a throw from the framework
 * after the request was let through.
 */
function checkedHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null) throw new TypeError('the limit hook answered `headers` that are not a record');
  let out: Record<string, string> | undefined;
  for (const name in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
    const value = (headers as Record<string, unknown>)[name];
    if (!FIELD_NAME.test(name) || typeof value !== 'string' || !FIELD_VALUE.test(value)) throw new TypeError(`the limit hook answered an invalid header ${JSON.stringify(name)}`);
    const key = name.toLowerCase();
    if (GUARD_FIELDS.has(key)) continue;
    out ??= {};
    // `__proto__` is a valid field name: assigning it would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

/** Where the `limit` step leaves the `detail` of its refusal, for `onDecision` only. */
export interface LimitVerdict {
  detail: string | undefined;
}

/** Whether the `limit` hook runs for a result: a success with credentials (never public, anonymous or a refusal). */
export function limitDue(result: AuthResult): result is AuthSuccess {
  return result.ok === true && result.anonymous !== true;
}

/** Synchronous when the hook answers synchronously (a quota served from memory), so such a request waits on no extra promise. */
export type LimitStep = (decision: AuthSuccess, request: AuthRequest, verdict?: LimitVerdict) => AuthResult | Promise<AuthResult>;

/**
 * The `limit` hook around a credentialed success: its refusal is a 429 (`Retry-After`
 * and its headers), its headers on a success go on the decision (`withHeaders` makes
 * a success of the guard's own class, so `issued` still knows it), an
 * `UnavailableError` is a 503, anything else it throws or answers is a
 * `VerifierError` with scheme `limit` (500: fail closed).
 */
export function createLimitStep(
  hook: NonNullable<GuardOptions['limit']>,
  withHeaders: (decision: AuthSuccess, headers: Readonly<Record<string, string>>) => AuthSuccess,
  shapeProblem: GuardOptions['problem'],
): LimitStep {
  const threw = (error: unknown, operationId: string, request: AuthRequest): AuthResult => {
    if (isUnavailable(error)) return unavailable(error, operationId, request, shapeProblem);
    throw new VerifierError('limit', operationId, error);
  };
  const settle = (outcome: unknown, decision: AuthSuccess, request: AuthRequest, verdict: LimitVerdict | undefined): AuthResult => {
    const operationId = decision.operationId;
    let headers: Record<string, string> | undefined;
    const answer = (typeof outcome === 'object' && outcome !== null ? outcome : {}) as { ok?: unknown; retryAfter?: unknown; headers?: unknown; detail?: unknown };
    // Read once: a getter answering differently on each read cannot pass the check and then let the request through.
    const ok = answer.ok;
    try {
      if (ok !== true && ok !== false) throw new TypeError('the limit hook must answer { ok: true } or { ok: false, retryAfter }');
      headers = checkedHeaders(answer.headers);
    } catch (error) {
      throw new VerifierError('limit', operationId, error);
    }
    if (ok === true) return headers === undefined ? decision : withHeaders(decision, Object.freeze(headers));
    if (verdict !== undefined && typeof answer.detail === 'string') verdict.detail = answer.detail;
    return retryLater(429, answer.retryAfter, headers ?? NO_HEADERS, operationId, request, shapeProblem);
  };
  return (decision, request, verdict) => {
    let outcome: unknown;
    try {
      outcome = hook(decision, request);
    } catch (error) {
      return threw(error, decision.operationId, request);
    }
    if (isThenable(outcome)) {
      return Promise.resolve(outcome).then(
        (value) => settle(value, decision, request, verdict),
        (error: unknown) => threw(error, decision.operationId, request),
      );
    }
    return settle(outcome, decision, request, verdict);
  };
}
