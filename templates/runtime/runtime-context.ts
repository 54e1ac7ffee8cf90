// The contexts verifiers and binding checks receive: the operation, the scheme (or
// group) and scopes, the request, and `deny(reason)`, which keeps the first reason of
// a request for the decision event (never for the caller's answer). Classes, so a
// call allocates one small object of a stable shape, and the evaluation behind
// `deny` stays private. What their answers count as: only an object is a principal, a
// thenable is awaited, scopes are read from the principal. And the classes of a
// guard's successes, made once per guard so `issued` can tell its decisions from
// another guard's.
import type { Evaluation } from './runtime-extract.js';
import type { AuthRequest } from './runtime-request.js';
import type { AuthSuccess, BindingContext, VerifyContext } from './runtime-types.js';

/** Whether a principal holds every scope of `scopes` (its `scopes` array). */
export function grants(principal: unknown, scopes: readonly string[]): boolean {
  if (scopes.length === 0) return true;
  const granted = (principal as { scopes?: unknown }).scopes;
  if (!Array.isArray(granted)) return false;
  for (const s of scopes) if (!granted.includes(s)) return false;
  return true;
}

/**
 * Only an object is a principal. `true`, `1` or an error string from a JavaScript
 * verifier is not proof of anything: it counts as "invalid" (fail closed).
 */
export function asPrincipal(result: unknown): object | false {
  return typeof result === 'object' && result !== null ? result : false;
}

/** A promise or any object with a `then` method: awaited. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** A verifier's context; `deny` keeps the first reason for the decision event. */
export class Call implements VerifyContext {
  readonly #ev: Evaluation;
  readonly request: AuthRequest;
  // Fields assigned in the constructor, not parameter properties: the runtime stays
  // erasable TypeScript (`erasableSyntaxOnly`, Node's type stripping).
  readonly operationId: string;
  readonly scheme: string;
  readonly scopes: readonly string[];
  constructor(ev: Evaluation, operationId: string, scheme: string, scopes: readonly string[]) {
    this.#ev = ev;
    this.request = ev.request;
    this.operationId = operationId;
    this.scheme = scheme;
    this.scopes = scopes;
  }
  deny(reason: string): void {
    this.#ev.detail ??= String(reason);
  }
}

/** A binding check's context. */
export class BindingCall implements BindingContext {
  readonly #ev: Evaluation;
  readonly request: AuthRequest;
  readonly operationId: string;
  readonly group: string;
  constructor(ev: Evaluation, operationId: string, group: string) {
    this.#ev = ev;
    this.request = ev.request;
    this.operationId = operationId;
    this.group = group;
  }
  deny(reason: string): void {
    this.#ev.detail ??= String(reason);
  }
}

/** A guard's success classes (see `successClasses`). */
export interface SuccessClasses {
  readonly Success: new (operationId: string, alternative: number, principals: Record<string, unknown>) => AuthSuccess;
  readonly HeadedSuccess: new (from: AuthSuccess, headers: Readonly<Record<string, string>>) => AuthSuccess;
}

/**
 * The classes of one guard's successes, new for each guard: `issued` is an
 * `instanceof` (free per request, where a WeakSet insert cost ~190 ns). `Success` has
 * one shape and no `headers` field, so a guard without `limit` fills nothing more per
 * request. `HeadedSuccess`, a success the `limit` hook gave headers, is a class of its
 * own rather than a subclass: a subclass's instances would pass through `Success`'s
 * constructor and make its stores polymorphic (measured ~4x slower for every guard
 * in a process with several).
 */
export function successClasses(): SuccessClasses {
  class Success implements AuthSuccess {
    readonly ok = true as const;
    readonly operationId: string;
    readonly alternative: number;
    readonly anonymous = false;
    readonly principals: Record<string, unknown>;
    constructor(operationId: string, alternative: number, principals: Record<string, unknown>) {
      this.operationId = operationId;
      this.alternative = alternative;
      this.principals = principals;
    }
  }
  class HeadedSuccess implements AuthSuccess {
    readonly ok = true as const;
    readonly operationId: string;
    readonly alternative: number;
    readonly anonymous = false;
    readonly headers: Readonly<Record<string, string>>;
    readonly principals: AuthSuccess['principals'];
    constructor(from: AuthSuccess, headers: Readonly<Record<string, string>>) {
      this.operationId = from.operationId;
      this.alternative = from.alternative;
      this.headers = headers;
      this.principals = from.principals;
    }
  }
  // No `then` on these prototypes, not even `then: undefined`: a decision's promise
  // resolves with a success, and the compiler skips the lookup of `then` only where it can
  // prove there is none (runtime-pending.ts `isPending`).
  return { Success, HeadedSuccess };
}
