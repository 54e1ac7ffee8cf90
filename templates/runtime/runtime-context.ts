// The contexts verifiers and binding checks receive: the operation, the scheme (or
// group) and scopes, the request, and `deny(reason)`, which keeps the first reason of
// a request for the decision event (never for the caller's answer). Classes, so a
// call allocates one small object of a stable shape, and the evaluation behind
// `deny` stays private.
import type { Evaluation } from './runtime-extract.js';
import type { AuthRequest } from './runtime-request.js';
import type { BindingContext, VerifyContext } from './runtime-types.js';

/** A verifier's context; `deny` keeps the first reason for the decision event. */
export class Call implements VerifyContext {
  readonly #ev: Evaluation;
  readonly request: AuthRequest;
  constructor(
    ev: Evaluation,
    readonly operationId: string,
    readonly scheme: string,
    readonly scopes: readonly string[],
  ) {
    this.#ev = ev;
    this.request = ev.request;
  }
  deny(reason: string): void {
    this.#ev.detail ??= String(reason);
  }
}

/** A binding check's context. */
export class BindingCall implements BindingContext {
  readonly #ev: Evaluation;
  readonly request: AuthRequest;
  constructor(
    ev: Evaluation,
    readonly operationId: string,
    readonly group: string,
  ) {
    this.#ev = ev;
    this.request = ev.request;
  }
  deny(reason: string): void {
    this.#ev.detail ??= String(reason);
  }
}
