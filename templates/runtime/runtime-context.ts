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
