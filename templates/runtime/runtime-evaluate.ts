// The evaluator of BRIEF §2 over compiled plans: alternatives in spec order (OR),
// every use of one alternative (AND), scopes against the cached principal, the
// anonymous alternative only when no credential of the operation was sent, and the
// 401/403 answer with its challenges otherwise. Synchronous verifiers never pay for a
// promise; an async one stops `step`, and `drive` awaits it and resumes there.
import type { OperationTable, SchemeTable, SecurityTables } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { AMBIGUOUS_ROUTE, createRouteIndex, normalizeBasePath } from './runtime-routes.js';
import { createRouteBinder, operationRoutes } from './runtime-bind.js';
import { createNearbyCheck } from './runtime-nearby.js';
import { quote } from './runtime-http-schemes.js';
import { NONE_SENT, PROBLEM_CONTENT_TYPE } from './runtime-problem.js';
import type { AuthRequest } from './runtime-request.js';
import { ABSENT, INVALID, compilePlan, compileScheme, type CompiledAlternative, type CompiledScheme, type CompiledUse, type Plan } from './runtime-plan.js';
import { Evaluation, anyCredentialSent, stateOf } from './runtime-extract.js';
import { VerifierError, type AuthFailure, type AuthResult, type AuthSuccess, type Guard, type GuardOptions, type GuardRouting, type ProblemBody, type ProblemLocation } from './runtime-types.js';

/** `step`'s answer when it must wait for an async verifier (see `Evaluation.pending`). */
const PENDING: unique symbol = Symbol('pending');

function grants(principal: unknown, scopes: readonly string[]): boolean {
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
function asPrincipal(result: unknown): object | false {
  return typeof result === 'object' && result !== null ? result : false;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Compiles the tables once into per-operation plans. Throws when an operation names
 * a scheme the tables lack or a used scheme has no verifier function.
 */
export function createGuardFromTables<const T extends SecurityTables<SchemeTable, OperationTable>, V>(
  tables: T,
  verifiers: V,
  options: GuardOptions = {},
): Guard<keyof T['operations'] & string, V> {
  type Op = keyof T['operations'] & string;
  const realm = options.realm ?? 'api';
  const realmParam = `realm=${quote(realm)}`;
  const anonymousOnInvalid = options.anonymousOnInvalid === true;
  const shapeProblem = options.problem;
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const verifierTable = verifiers as unknown as { readonly [name: string]: unknown };

  const compile = (name: string): CompiledScheme => {
    const spec = own(tables.schemes, name);
    if (spec === undefined) throw new TypeError(`security scheme ${JSON.stringify(name)} is used but not defined`);
    const verifier = own(verifierTable, name);
    if (typeof verifier !== 'function') throw new TypeError(`no verifier function for security scheme ${JSON.stringify(name)}`);
    return compileScheme(name, spec, verifier as CompiledScheme['verifier'], realmParam);
  };
  const schemeCache = new Map<string, CompiledScheme>();
  const plans = new Map<string, Plan>();
  for (const operationId of Object.keys(tables.operations)) {
    plans.set(operationId, compilePlan(operationId, tables, schemeCache, compile, realmParam));
  }
  const basePath = normalizeBasePath(options.basePath ?? tables.basePath);
  const routes = createRouteIndex(tables.operations, basePath);
  // Decisions this guard made: an adapter skips a per-route check only for its own.
  // Decisions this guard made, for `issued`: its successes are instances of a class of
  // its own (an `instanceof` costs nothing per request, where a WeakSet insert cost
  // ~190 ns), its anonymous results the plans' shared ones.
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
  const anonymousResults = new Set<object>([...plans.values()].map((plan) => plan.anonymousResult));
  const operations = operationRoutes<Op>(tables.operations, basePath);
  const onError = options.onError ?? ((error: Error) => console.error(error));
  const routing: GuardRouting<Op> = {
    operations,
    bind: createRouteBinder(operations),
    routeAll: (method, path) => routes.routeAll(method, path) as readonly Op[] | null,
    nearby: createNearbyCheck(tables.operations, basePath),
    reportError: (error) => onError(error),
  };

  const succeed = (ev: Evaluation, index: number): AuthSuccess => {
    const alternative = ev.plan.alternatives[index] as CompiledAlternative;
    // Spread copies own keys as data properties (`__proto__` included, never the setter).
    const principals: Record<string, unknown> = { ...alternative.principalsTemplate };
    for (const use of alternative.uses) principals[use.scheme.name] = ev.slots[ev.n + use.local];
    return new Success(ev.plan.operationId, index, principals);
  };

  const fail = (ev: Evaluation): AuthFailure => {
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
      if (shapeProblem === undefined && !anyCredentialSent(ev, utf8)) return plan.noCredentials;
      status = 401;
      const missing: ProblemLocation[] = [];
      const invalid: ProblemLocation[] = [];
      let tokenFailed = false;
      for (let i = 0; i < plan.schemes.length; i++) {
        const scheme = plan.schemes[i] as CompiledScheme;
        const state = stateOf(ev, i, utf8);
        if (state === ABSENT) missing.push(scheme.location);
        else if (state === INVALID || ev.slots[ev.n + i] === false) {
          invalid.push(scheme.location);
          if (scheme.bearerFamily) tokenFailed = true;
        }
      }
      challenge = tokenFailed ? plan.challengeInvalidToken : plan.challenge;
      body = {
        type: 'about:blank',
        title: 'Unauthorized',
        status,
        detail:
          missing.length === plan.schemes.length ? NONE_SENT : 'The credentials sent were not accepted for this operation.',
        ...(missing.length > 0 ? { missing } : {}),
        ...(invalid.length > 0 ? { invalid } : {}),
      };
    }
    if (shapeProblem) body = shapeProblem(body, { operationId: plan.operationId, status, request: ev.request });
    return { ok: false, status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }, body };
  };

  /**
   * Runs alternatives from `ev.next` on, synchronously. When a verifier returns a
   * thenable it records it in `ev.pending` and answers PENDING; `drive` awaits it,
   * caches the value and calls `step` again, which resumes at the same alternative.
   * So synchronous verifiers never pay for an await, and async ones pay one each.
   */
  const step = (ev: Evaluation): AuthResult | typeof PENDING => {
    const plan = ev.plan;
    const alternatives = plan.alternatives;
    for (; ev.next < alternatives.length; ev.next++) {
      const uses = (alternatives[ev.next] as CompiledAlternative).uses;
      // Verifiers run only for alternatives whose credentials are all present.
      let allPresent = true;
      for (const use of uses) {
        const state = stateOf(ev, use.local, utf8);
        if (state === ABSENT) {
          allPresent = false;
          break;
        }
      }
      if (!allPresent) continue;
      // AND: stop at the first credential that is malformed or rejected.
      let verified = true;
      for (const use of uses) {
        const local = use.local;
        if (ev.states[local] === INVALID) {
          verified = false;
          break;
        }
        let result = ev.slots[ev.n + local];
        if (result === undefined) {
          const scheme = use.scheme;
          try {
            result = scheme.verifier(ev.slots[local], { operationId: plan.operationId, scheme: scheme.name, scopes: use.scopes, request: ev.request });
          } catch (error) {
            throw new VerifierError(scheme.name, plan.operationId, error);
          }
          if (isThenable(result)) {
            ev.pending = result;
            ev.pendingUse = use;
            return PENDING;
          }
          ev.slots[ev.n + local] = result = asPrincipal(result);
        }
        if (result === false) {
          verified = false;
          break;
        }
      }
      if (!verified) continue;
      // Scopes are checked per alternative against the cached principal.
      let granted = true;
      for (const use of uses) {
        if (!grants(ev.slots[ev.n + use.local], use.scopes)) {
          granted = false;
          break;
        }
      }
      if (granted) return succeed(ev, ev.next);
      if (ev.forbidden === -1) ev.forbidden = ev.next;
    }
    if (plan.optional) {
      if (anonymousOnInvalid) return plan.anonymousResult;
      // The anonymous alternative applies only when no credential of the operation's
      // schemes was sent: a bad key is never silently downgraded.
      if (!anyCredentialSent(ev, utf8)) return plan.anonymousResult;
    }
    return fail(ev);
  };

  const drive = async (ev: Evaluation): Promise<AuthResult> => {
    for (;;) {
      const use = ev.pendingUse as CompiledUse;
      let value: unknown;
      try {
        value = await (ev.pending as PromiseLike<unknown>);
      } catch (error) {
        throw new VerifierError(use.scheme.name, ev.plan.operationId, error);
      }
      ev.slots[ev.n + use.local] = asPrincipal(value);
      const result = step(ev);
      if (result !== PENDING) return result;
    }
  };

  const evaluate = (operationId: string, request: AuthRequest): Promise<AuthResult> => {
    const plan = plans.get(operationId);
    if (plan === undefined) return Promise.reject(new TypeError(`unknown operation ${JSON.stringify(operationId)}`));
    if (plan.isPublic) return Promise.resolve(plan.anonymousResult);
    if (plan.refused !== undefined) {
      if (shapeProblem === undefined) return Promise.resolve(plan.refused);
      return Promise.resolve({ ...plan.refused, body: shapeProblem(plan.refused.body, { operationId, status: 403, request }) });
    }
    const ev = new Evaluation(plan, request);
    let result: AuthResult | typeof PENDING;
    try {
      result = step(ev);
    } catch (error) {
      return Promise.reject(error);
    }
    return result === PENDING ? drive(ev) : Promise.resolve(result);
  };

  return {
    authorize(operationId: Op, request: AuthRequest): Promise<AuthResult<Op, V>> {
      return evaluate(operationId, request) as Promise<AuthResult<Op, V>>;
    },
    async authorizeAll(operationIds: readonly Op[], request: AuthRequest): Promise<AuthResult<Op, V>> {
      if (operationIds.length === 0) throw new TypeError('authorizeAll needs at least one operation');
      let first: AuthResult | undefined;
      // Each operation is decided on its own, with its own verifier context: a verifier
      // may accept a key for one operation and not another.
      for (const operationId of operationIds) {
        const result = await evaluate(operationId, request);
        if (!result.ok) return result as AuthResult<Op, V>;
        first ??= result;
      }
      return first as AuthResult<Op, V>;
    },
    match(method: string, path: string): Op | undefined {
      const found = routes.classify(method, path, false);
      return found === AMBIGUOUS_ROUTE ? undefined : (found as Op | undefined);
    },
    route(method: string, path: string): Op | null | undefined {
      const found = routes.classify(method, path, true);
      return found === AMBIGUOUS_ROUTE ? null : (found as Op | undefined);
    },
    issued(auth: unknown): boolean {
      return auth instanceof Success || (typeof auth === 'object' && auth !== null && anonymousResults.has(auth));
    },
    routing,
  };
}
