// The evaluator of BRIEF §2 over compiled plans: alternatives in spec order (OR),
// every use of one alternative (AND), then the AND group's binding check, then scopes
// against the cached principals; the anonymous alternative only when no credential of
// the operation was sent, and the 401/403 answer (runtime-deny.ts) otherwise. An
// `UnavailableError` from a verifier or binding check ends the decision with a 503
// there and then (no other alternative, no anonymous fallback: a store that cannot
// answer never turns into a pass or a 401). Synchronous verifiers never pay for a
// promise hop of their own; an async one stops `step`, and `drive` awaits it and resumes there.
// Decision events (runtime-observe.ts) and the `limit` step (runtime-deny.ts) cost
// nothing unless set.
import type { OperationTable, SchemeTable, SecurityTables } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { AMBIGUOUS_ROUTE, createRouteIndex, normalizeBasePath } from './runtime-routes.js';
import { createRouteBinder, operationRoutes } from './runtime-bind.js';
import { createNearbyCheck } from './runtime-nearby.js';
import { quote } from './runtime-http-schemes.js';
import type { AuthRequest } from './runtime-request.js';
import { ABSENT, INVALID, compilePlan, type CompiledAlternative, type CompiledGroup, type CompiledScheme, type CompiledUse, type Plan } from './runtime-plan.js';
import { compileScheme } from './runtime-scheme-compile.js';
import { Evaluation, anyCredentialSent, principalsOf, stateOf } from './runtime-extract.js';
import { createDeny, createLimitStep, limitDue, unavailable, type LimitStep } from './runtime-deny.js';
import { observeDecisions, refusalEvent, report } from './runtime-observe.js';
import { VerifierError, independent, isUnavailable, type AuthResult, type AuthSuccess, type Guard, type GuardOptions, type GuardRouting } from './runtime-types.js';
import { BindingCall, Call, asPrincipal, grants, isThenable, successClasses } from './runtime-context.js';
import { PENDING, isPending, rejected, settle, type Pending } from './runtime-pending.js';

/**
 * Compiles the tables once into per-operation plans. Throws when an operation names
 * a scheme the tables lack, a used scheme has no verifier function, or an AND group
 * has neither a binding check nor the `independent` marker.
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
  const onDecision = options.onDecision;
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const verifierTable = verifiers as unknown as { readonly [name: string]: unknown };

  const compile = (name: string): CompiledScheme => {
    const spec = own(tables.schemes, name);
    if (spec === undefined) throw new TypeError(`security scheme ${JSON.stringify(name)} is used but not defined`);
    const verifier = own(verifierTable, name);
    if (typeof verifier !== 'function') throw new TypeError(`no verifier function for security scheme ${JSON.stringify(name)}`);
    return compileScheme(name, spec, verifier as CompiledScheme['verifier'], realmParam);
  };
  const bindingOf = (key: string): CompiledGroup['check'] | undefined => {
    const check = own(verifierTable, key);
    if (check === independent) return undefined;
    if (typeof check !== 'function') throw new TypeError(`no binding check for AND group ${JSON.stringify(key)}: give Verifiers[${JSON.stringify(key)}] a function deciding whether the group's principals belong together, or \`independent\` if its schemes are unrelated`);
    return check as CompiledGroup['check'];
  };
  const schemeCache = new Map<string, CompiledScheme>();
  const plans = new Map<string, Plan>();
  for (const operationId of Object.keys(tables.operations)) {
    plans.set(operationId, compilePlan(operationId, tables, schemeCache, compile, bindingOf, realmParam));
  }
  const basePath = normalizeBasePath(options.basePath ?? tables.basePath);
  const routes = createRouteIndex(tables.operations, basePath);
  // Decisions this guard made, for `issued`: instances of this guard's own classes
  // (runtime-context.ts), its anonymous results the plans' shared ones.
  const { Success, HeadedSuccess } = successClasses();
  const anonymousResults = new Set<object>([...plans.values()].map((plan) => plan.anonymousResult));
  const operations = operationRoutes<Op>(tables.operations, basePath);
  const onError = options.onError ?? ((error: Error) => console.error(error));
  const routing: GuardRouting<Op> = {
    operations,
    bind: createRouteBinder(operations),
    routeAll: (method, path) => routes.routeAll(method, path) as readonly Op[] | null,
    nearby: createNearbyCheck(tables.operations, basePath),
    reportError: (error) => onError(error),
    observed: onDecision !== undefined,
    reportRefusal: (method, status, reason, startedAt) => {
      if (onDecision !== undefined) report(onDecision, onError, refusalEvent(method.toUpperCase(), status, reason, startedAt));
    },
  };

  const succeed = (ev: Evaluation, alternative: CompiledAlternative): AuthSuccess => new Success(ev.plan.operationId, alternative.index, principalsOf(ev, alternative));
  const fail = createDeny(options, utf8);

  /**
   * Runs alternatives from `ev.next` on, synchronously. When a verifier returns a
   * thenable it records it in `ev.pending` and answers PENDING; `drive` awaits it,
   * caches the value and calls `step` again, which resumes at the same alternative and use.
   * So synchronous verifiers never pay for an await, and async ones pay one each.
   */
  const step = (ev: Evaluation): AuthResult | Pending => {
    const plan = ev.plan;
    const alternatives = plan.alternatives;
    const slots = ev.slots;
    const n = ev.n;
    for (; ev.next < alternatives.length; ev.next++) {
      const alternative = alternatives[ev.next] as CompiledAlternative;
      const uses = alternative.uses;
      let u = ev.resumeUse;
      if (u === -1) {
        // Verifiers run only for alternatives whose credentials are all present, and
        // none of them for one whose member is already known bad (malformed, or
        // rejected in an earlier alternative): the AND cannot hold.
        let allPresent = true;
        let knownBad = false;
        for (let p = 0; p < uses.length; p++) {
          const local = (uses[p] as CompiledUse).local;
          const state = stateOf(ev, local, utf8);
          if (state === ABSENT) {
            allPresent = false;
            break;
          }
          if (state === INVALID || slots[n + local] === false) knownBad = true;
        }
        if (!allPresent || knownBad) continue;
        u = 0;
      } else {
        // Resumed by `drive`: the checks above passed, and uses before `u` are verified.
        ev.resumeUse = -1;
      }
      // AND: every member is present and not known bad (above); stop at the first the
      // verifier rejects now.
      let verified = true;
      for (; u < uses.length; u++) {
        const use = uses[u] as CompiledUse;
        const local = use.local;
        let result = slots[n + local];
        if (result === undefined) {
          const scheme = use.scheme;
          try {
            result = scheme.verifier(slots[local], new Call(ev, plan.operationId, scheme.name, use.scopes));
          } catch (error) {
            slots[n + local] = false; // it ran: the decision event lists it
            if (isUnavailable(error)) return unavailable(error, plan.operationId, ev.request, shapeProblem);
            throw new VerifierError(scheme.name, plan.operationId, error);
          }
          if (isThenable(result)) {
            ev.pending = result;
            ev.pendingSlot = n + local;
            ev.resumeUse = u;
            return PENDING;
          }
          slots[n + local] = result = asPrincipal(result);
        }
        if (result === false) {
          verified = false;
          break;
        }
      }
      if (!verified) continue;
      // Then the group's binding check, once per group and request: only `true` binds.
      const group = alternative.group;
      if (group !== undefined) {
        let bound = slots[group.slot];
        if (bound === undefined) {
          try {
            bound = group.check(principalsOf(ev, alternative), new BindingCall(ev, plan.operationId, group.key));
          } catch (error) {
            if (isUnavailable(error)) return unavailable(error, plan.operationId, ev.request, shapeProblem);
            throw new VerifierError(group.key, plan.operationId, error, true);
          }
          if (isThenable(bound)) {
            ev.pending = bound;
            ev.pendingSlot = group.slot;
            ev.resumeUse = uses.length; // every use is verified: resume at the binding check
            return PENDING;
          }
          slots[group.slot] = bound = bound === true;
        }
        if (bound !== true) continue;
      }
      // Scopes are checked per alternative against the cached principal.
      if (alternative.scoped) {
        let granted = true;
        for (let u = 0; u < uses.length; u++) {
          const use = uses[u] as CompiledUse;
          if (!grants(slots[n + use.local], use.scopes)) {
            granted = false;
            break;
          }
        }
        if (!granted) {
          if (ev.forbidden === -1) ev.forbidden = ev.next;
          continue;
        }
      }
      return succeed(ev, alternative);
    }
    if (plan.optional) {
      if (anonymousOnInvalid) return plan.anonymousResult;
      // The anonymous alternative applies only when no credential of the operation's
      // schemes was sent: a bad key is never silently downgraded.
      if (!anyCredentialSent(ev, utf8)) return plan.anonymousResult;
    }
    return fail(ev);
  };

  /**
   * Awaits what `step` stopped at, caches it and resumes, until it answers, then hands
   * the answer to `finish`: only a decision that waits enters this async function (one
   * await per verifier or binding check that returned a thenable); one that never waits
   * pays for `Promise.resolve`. Two of them: `drive` answers as decided, `driveLimited`
   * runs the `limit` step on the answer in the same async step (an async wrapper awaiting
   * `drive` cost ~950 instructions a decision, measured with a synchronous hook).
   */
  const driver =
    (finish: (result: AuthResult, request: AuthRequest) => AuthResult | Promise<AuthResult>) =>
    async (ev: Evaluation): Promise<AuthResult> => {
      for (;;) {
        let value: unknown;
        try {
          value = await (ev.pending as PromiseLike<unknown>);
        } catch (error) {
          return rejected(ev, error, shapeProblem);
        }
        settle(ev, value);
        const result = step(ev);
        if (!isPending(result)) return finish(result, ev.request);
      }
    };
  const drive = driver((result) => result);

  /**
   * Decides one operation; `kept`, when given, receives the evaluation (for the decision
   * event). `limited` (only with a `limit` step): it runs on the decision too, in the
   * same turn (no promise hop of its own).
   */
  const evaluate = (operationId: string, request: AuthRequest, kept: (Evaluation | undefined)[] | undefined, limited: boolean): Promise<AuthResult> => {
    const plan = plans.get(operationId);
    if (plan === undefined) return Promise.reject(new TypeError(`unknown operation ${JSON.stringify(operationId)}`));
    if (plan.isPublic) return Promise.resolve(plan.anonymousResult);
    if (plan.refused !== undefined) {
      if (shapeProblem === undefined) return Promise.resolve(plan.refused);
      return Promise.resolve({ ...plan.refused, body: shapeProblem(plan.refused.body, { operationId, status: 403, request }) });
    }
    const ev = Evaluation.of(plan, request);
    if (kept !== undefined) kept[kept.length - 1] = ev;
    let result: AuthResult | Pending;
    try {
      result = step(ev);
    } catch (error) {
      return Promise.reject(error);
    }
    if (isPending(result)) return limited ? driveLimited(ev) : drive(ev);
    return limited ? limitNow(result, request) : Promise.resolve(result);
  };

  /** Each operation decided on its own, with its own verifier context (a verifier may accept a key for one operation and not another). */
  const evaluateAll = async (operationIds: readonly string[], request: AuthRequest, kept?: (Evaluation | undefined)[]): Promise<AuthResult> => {
    if (operationIds.length === 0) throw new TypeError('authorizeAll needs at least one operation');
    let first: AuthResult | undefined;
    let credentialed: AuthResult | undefined;
    for (const operationId of operationIds) {
      kept?.push(undefined);
      const result = await evaluate(operationId, request, kept, false);
      if (result.ok === false) return result;
      first ??= result;
      if (credentialed === undefined && limitDue(result)) credentialed = result;
    }
    // The first decision made with credentials, else the first: a public operation listed
    // first must not hide the keyed one (its principals, and the `limit` that counts it).
    return (credentialed ?? first) as AuthResult;
  };

  // `limit` runs once per request, after the whole decision (for `authorizeAll`, on the
  // success it answers with: the first made with credentials), inside the span `onDecision` times.
  const limitStep = options.limit === undefined ? undefined : createLimitStep(options.limit, (decision, headers) => new HeadedSuccess(decision, headers), shapeProblem);
  const limit = (result: AuthResult, request: AuthRequest): AuthResult | Promise<AuthResult> => (limitDue(result) ? (limitStep as LimitStep)(result, request) : result);
  const driveLimited = driver(limit);
  const limitNow = (result: AuthResult, request: AuthRequest): Promise<AuthResult> => {
    try {
      return Promise.resolve(limit(result, request));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const observed = onDecision === undefined ? undefined : observeDecisions(onDecision, onError, utf8, evaluateAll, limitStep);

  return {
    authorize(operationId: Op, request: AuthRequest): Promise<AuthResult<Op, V>> {
      return (observed === undefined ? evaluate(operationId, request, undefined, limitStep !== undefined) : observed([operationId], request)) as Promise<AuthResult<Op, V>>;
    },
    authorizeAll(operationIds: readonly Op[], request: AuthRequest): Promise<AuthResult<Op, V>> {
      if (observed !== undefined) return observed(operationIds, request) as Promise<AuthResult<Op, V>>;
      const decided = evaluateAll(operationIds, request);
      return (limitStep === undefined ? decided : decided.then((result) => limit(result, request))) as Promise<AuthResult<Op, V>>;
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
      return auth instanceof Success || auth instanceof HeadedSuccess || (typeof auth === 'object' && auth !== null && anonymousResults.has(auth));
    },
    routing,
  };
}
