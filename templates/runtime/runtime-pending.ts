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
 * `step`'s answer when it must wait (see `Evaluation.pending`): the one object whose `ok`
 * is `undefined` (every `AuthResult` has a boolean `ok`). Tested by loading `ok`, not by
 * identity: that load makes the optimizing compiler check the answer's hidden class, so
 * where the answer then resolves the decision's promise (`Promise.resolve` in `evaluate`,
 * the `return` of `drive`) it knows the classes, finds no `then` on any of them and skips
 * the lookup of `then` that resolving a promise with an object must otherwise do (a
 * generic walk up to `Object.prototype`): (a) −215, (c) −275 instructions a decision,
 * measured with callgrind. So no answer class may have a `then`, not even `undefined`.
 */
export interface Pending {
  readonly ok: undefined;
}
export const PENDING: Pending = Object.freeze({ ok: undefined });
export const isPending = (result: AuthResult | Pending): result is Pending => result.ok === undefined;

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
