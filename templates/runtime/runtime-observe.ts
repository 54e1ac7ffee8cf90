// Decision events for `onDecision`: what was decided and why, built after the
// decision from the per-request state the evaluation kept anyway, so a guard without
// the hook pays nothing. An event names operations, schemes, the winning index, a
// reason and a public key id; never a credential, URL, path or query string. The
// `limit` step runs inside the timed span, so its 429 or 503 is the event's answer.
import { parseApiKey } from './runtime-key-format.js';
import type { Evaluation } from './runtime-extract.js';
import { denialReason, limitDue, type LimitStep, type LimitVerdict } from './runtime-deny.js';
import type { CompiledScheme } from './runtime-plan.js';
import type { AuthRequest } from './runtime-request.js';
import type { AuthResult, DecisionEvent, DecisionReason } from './runtime-types.js';

/** Milliseconds on a monotonic clock (Node, browsers, workers all have `performance`). */
export function clock(): number {
  return performance.now();
}

/**
 * The event of one request: `evaluations` are those of the operations it had to
 * satisfy (an operation decided without one, public or refused, has `undefined`);
 * `result` is the answer, or `undefined` when a verifier, binding check or the `limit`
 * hook threw. `verdict` is set when the `limit` hook ran: the answer is then its, and
 * so is the `detail` (a verifier's reason for refusing another alternative would mislead).
 */
export function decisionEvent(
  method: string,
  operationIds: readonly string[],
  evaluations: readonly (Evaluation | undefined)[],
  result: AuthResult | undefined,
  startedAt: number,
  utf8: TextDecoder,
  verdict?: LimitVerdict,
): DecisionEvent {
  const schemes: string[] = [];
  let keyId: string | undefined;
  let detail: string | undefined;
  for (const ev of evaluations) {
    if (ev === undefined) continue;
    detail ??= ev.detail;
    for (let i = 0; i < ev.n; i++) {
      const scheme = ev.plan.schemes[i] as CompiledScheme;
      if (ev.slots[ev.n + i] !== undefined) schemes.push(scheme.name);
      const credential = ev.slots[i];
      if (keyId === undefined && typeof credential === 'string') keyId = parseApiKey(credential)?.id;
    }
  }
  const base = { operationId: operationIds[0], operationIds, method, schemes, ...(keyId !== undefined ? { keyId } : {}), durationMs: clock() - startedAt };
  if (verdict !== undefined) detail = verdict.detail;
  // `detail` explains a refusal; on a pass through another alternative it would mislead.
  const why = detail !== undefined ? { detail } : {};
  if (result === undefined) return { ...base, outcome: 'error', status: 500, alternative: -1, anonymous: false, reason: 'error', ...why };
  if (result.ok === true) return { ...base, outcome: 'allow', status: 200, alternative: result.alternative, anonymous: result.anonymous };
  // The failing operation is the last one evaluated (authorizeAll stops at the first failure).
  const last = evaluations[evaluations.length - 1];
  // The `limit` step refuses with 429 or 503 only; a public or refused operation has no evaluation.
  const reason: DecisionReason = verdict !== undefined ? (result.status === 429 ? 'rate-limited' : 'unavailable') : last === undefined ? 'refused' : denialReason(last, result, utf8);
  return { ...base, outcome: 'deny', status: result.status, alternative: -1, anonymous: false, reason, ...why };
}

/** The event of a refusal an adapter made before any operation was authorized. */
export function refusalEvent(method: string, status: number, reason: DecisionReason, startedAt: number): DecisionEvent {
  return { operationId: undefined, operationIds: [], method, outcome: 'deny', status, alternative: -1, anonymous: false, schemes: [], reason, durationMs: clock() - startedAt };
}

/** Hands an event to the hook; a throw from it goes to `onError`, never into the answer. */
export function report(onDecision: (event: DecisionEvent) => void, onError: (error: Error) => void, event: DecisionEvent): void {
  try {
    onDecision(event);
  } catch (error) {
    onError(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Wraps the guard's decision of a request (the operations it must satisfy) so it is
 * timed and reported once, also when a verifier throws. `evaluateAll` fills `kept`
 * with the evaluation of each operation it decides; `limit`, when set, then runs once
 * on a credentialed success.
 */
export function observeDecisions(
  onDecision: (event: DecisionEvent) => void,
  onError: (error: Error) => void,
  utf8: TextDecoder,
  evaluateAll: (operationIds: readonly string[], request: AuthRequest, kept: (Evaluation | undefined)[]) => Promise<AuthResult>,
  limit?: LimitStep,
): (operationIds: readonly string[], request: AuthRequest) => Promise<AuthResult> {
  return async (operationIds, request) => {
    const startedAt = clock();
    const kept: (Evaluation | undefined)[] = [];
    const method = (request.method ?? 'GET').toUpperCase();
    let result: AuthResult;
    let verdict: LimitVerdict | undefined;
    try {
      result = await evaluateAll(operationIds, request, kept);
      if (limit !== undefined && limitDue(result)) {
        verdict = { detail: undefined };
        result = await limit(result, request, verdict);
      }
    } catch (error) {
      report(onDecision, onError, decisionEvent(method, operationIds, kept, undefined, startedAt, utf8, verdict));
      throw error;
    }
    report(onDecision, onError, decisionEvent(method, operationIds, kept, result, startedAt, utf8, verdict));
    return result;
  };
}
