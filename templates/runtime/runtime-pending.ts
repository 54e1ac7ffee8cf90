// A decision waiting on a verifier's or binding check's promise: the answer `step`
// gives when it must wait (PENDING, with the promise and where its value goes kept in the
// `Evaluation`), and what `drive` makes of the promise once it settles: the value cached
// where `step` reads it, or a rejection's answer (a 503 for `UnavailableError`, else a
// `VerifierError`).
import type { Evaluation } from './runtime-extract.js';
import { asPrincipal } from './runtime-context.js';
import { unavailable } from './runtime-deny.js';
import { VerifierError, isUnavailable, type AuthResult, type GuardOptions } from './runtime-types.js';
import type { CompiledScheme } from './runtime-plan.js';

/**
 * `step`'s answer when it must wait (see `Evaluation.pending`). An object, not a symbol:
 * comparing an answer (an object) with it is then a pointer test, where an object
 * against a symbol compiled to a generic equality call (measured).
 */
export interface Pending {
  readonly pending: true;
}
export const PENDING: Pending = Object.freeze({ pending: true });
export const isPending = (result: AuthResult | Pending): result is Pending => result === PENDING;

/** Whether `slot` holds a group's binding answer: below 2n a slot is a scheme's (its credential, then its verifier result), from 2n on a group's (runtime-plan.ts). */
const isGroupSlot = (ev: Evaluation, slot: number): boolean => slot >= 2 * ev.n;

/** Caches what the awaited promise resolved to: a verifier's principal (only an object counts), or whether a binding check said `true`. */
export function settle(ev: Evaluation, value: unknown): void {
  const slot = ev.pendingSlot;
  ev.slots[slot] = isGroupSlot(ev, slot) ? value === true : asPrincipal(value);
}

/** The awaited promise rejected: a 503 for `UnavailableError`; anything else throws a `VerifierError` naming the scheme or group. */
export function rejected(ev: Evaluation, error: unknown, shapeProblem: GuardOptions['problem']): AuthResult {
  const slot = ev.pendingSlot;
  ev.slots[slot] = false; // it ran: the decision event lists it
  if (isUnavailable(error)) return unavailable(error, ev.plan.operationId, ev.request, shapeProblem);
  const binding = isGroupSlot(ev, slot);
  const name = binding ? (ev.plan.groupKeys[slot - 2 * ev.n] as string) : (ev.plan.schemes[slot - ev.n] as CompiledScheme).name;
  throw new VerifierError(name, ev.plan.operationId, error, binding);
}
