// Check stage: rules over the IR that turn spec mistakes into diagnostics, one
// function per rule in the RULES table. An AND set that names an undefined scheme is
// an error, never weakened to the schemes that exist (a lesson from ogen): generation
// refuses. What a rule finds unenforceable (an undefined scheme, one normalize
// rejected, an apiKey header no request can carry) is returned as data, so
// `--skip-invalid` never reads it back out of messages or pointers.
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics/types.js';
import type { Operation, Origin, OperationAuth, Scheme, SecurityModel } from '../ir/types.js';
import { didYouMean } from '../shared/did-you-mean.js';
import { isHttpToken } from '../shared/http.js';
import { securityCoverage } from './coverage.js';
import { groupNameCollisions } from './groups.js';
import { overlappingPaths } from './paths.js';

/** Registered in the IANA HTTP Authentication Scheme registry and handled by the runtime. */
const KNOWN_HTTP_SCHEMES = new Set(['basic', 'bearer']);
const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  /** Scheme names no guard can enforce, with why (for `--skip-invalid`). */
  readonly unenforceable: ReadonlyMap<string, string>;
}

interface CheckContext {
  readonly model: SecurityModel;
  readonly schemes: ReadonlyMap<string, Scheme>;
  readonly rejectedSchemes: ReadonlySet<string>;
  /** The model's operations in document order: the first diagnostic of a kind points at the first occurrence a reader finds. */
  readonly ordered: readonly Operation[];
  /** Filled by `requirements`, read by the rules after it. */
  readonly used: Set<string>;
  readonly unenforceable: Map<string, string>;
  /** The config's `public` list: operation ids public on purpose (coverage rules). */
  readonly publicIds: readonly string[];
  report(code: DiagnosticCode, severity: Severity, at: Origin, message: string, subject?: string): void;
}

type Rule = (ctx: CheckContext) => void;

/** Every rule, in the order their diagnostics are reported. `requirements` fills `used` for the ones after it. */
const RULES: readonly Rule[] = [schemeRules, requirements, groupCollisions, unusedSchemes, credentialsOverHttp, duplicateOperationIds, overlapping, coverage];

export interface CheckOptions {
  /** Operation ids public on purpose (the config's `public`): not reported as `operation-without-security`. */
  readonly publicIds?: readonly string[] | undefined;
}

export function checkModel(model: SecurityModel, rejectedSchemes: ReadonlySet<string> = new Set(), options: CheckOptions = {}): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const unenforceable = new Map<string, string>();
  for (const id of rejectedSchemes) unenforceable.set(id, 'its definition is invalid');
  const ctx: CheckContext = {
    model,
    schemes: new Map(model.schemes.map((s) => [s.id, s])),
    rejectedSchemes,
    ordered: [...model.operations].sort((a, b) => a.position - b.position),
    used: new Set(),
    unenforceable,
    publicIds: options.publicIds ?? [],
    report(code, severity, at, message, subject) {
      const d: Diagnostic = { code, severity, message, file: at.file, pointer: at.at };
      diagnostics.push(subject === undefined ? d : { ...d, subject });
    },
  };
  for (const rule of RULES) rule(ctx);
  return { diagnostics, unenforceable };
}

function groupCollisions(ctx: CheckContext): void {
  for (const d of groupNameCollisions(ctx.model)) ctx.report(d.code, d.severity, { file: d.file, at: d.pointer }, d.message, d.subject);
}

/** Operations public without saying so, and `public` ids that name nothing (coverage.ts). */
function coverage(ctx: CheckContext): void {
  for (const d of securityCoverage(ctx.model, ctx.publicIds)) ctx.report(d.code, d.severity, { file: d.file, at: d.pointer }, d.message, d.subject);
}

function overlapping(ctx: CheckContext): void {
  for (const d of overlappingPaths(ctx.model)) ctx.report(d.code, d.severity, { file: d.file, at: d.pointer }, d.message, d.subject);
}

function schemeRules(ctx: CheckContext): void {
  const report = ctx.report;
  for (const s of ctx.model.schemes) {
    if (s.kind === 'apiKey' && s.in === 'header' && !isHttpToken(s.name)) {
      ctx.unenforceable.set(s.id, `header "${s.name}" is not a valid HTTP field name`);
      report('invalid-header-name', 'error', { file: s.origin.file, at: s.origin.at + '/name' }, `apiKey scheme "${s.id}" names header "${s.name}", which is not a valid HTTP field name (RFC 9110 §5.1), so no request can carry it`, s.name);
    }
    if (s.kind === 'apiKey' && s.in === 'query') {
      report('api-key-in-query', 'warning', s.origin, `apiKey scheme "${s.id}" is sent in the query string ("${s.name}"): keys in URLs end up in access logs, proxies and browser history`, s.id);
    }
    if (s.kind === 'apiKey' && s.in === 'header' && s.name.toLowerCase() === 'authorization') {
      report('authorization-api-key', 'info', s.origin, `apiKey scheme "${s.id}" uses the Authorization header: its verifier receives the whole header value`, s.id);
    }
    if (s.kind === 'http' && !KNOWN_HTTP_SCHEMES.has(s.scheme)) {
      report('unknown-http-scheme', 'info', s.origin, `http scheme "${s.id}" uses auth-scheme "${s.scheme}": its verifier receives the raw credentials after the scheme word`, s.id);
    }
  }
}

/** Every security requirement: undefined schemes, scopes, AND sets that cannot mean what they say. */
function requirements(ctx: CheckContext): void {
  const { model, schemes, report } = ctx;
  // Per oauth2 scheme, once: the scopes its flows declare (undefined when no flow has a scopes map).
  const scopeSets = new Map<string, ReadonlySet<string> | undefined>();
  const declaredScopes = (s: Extract<Scheme, { kind: 'oauth2' }>): ReadonlySet<string> | undefined => {
    if (!scopeSets.has(s.id)) scopeSets.set(s.id, s.flows.some((f) => f.scopesDeclared) ? new Set(s.flows.flatMap((f) => f.scopes)) : undefined);
    return scopeSets.get(s.id);
  };
  // Root and operation auth objects are shared when inherited: check each origin once.
  const seen = new Set<string>();
  const used = ctx.used;
  const auths: OperationAuth[] = [];
  if (model.rootAuth) auths.push(model.rootAuth);
  for (const op of ctx.ordered) auths.push(op.auth);
  for (const auth of auths) {
    if (auth.kind === 'public') continue;
    const key = auth.origin.file + '#' + auth.origin.at;
    const fresh = !seen.has(key);
    seen.add(key);
    for (const req of auth.anyOf) {
      const oauth2 = req.allOf.filter((u) => { const k = schemes.get(u.scheme)?.kind; return k === 'oauth2' || k === 'openIdConnect'; });
      if (oauth2.length > 1 && fresh) {
        // Google's discovery-to-OpenAPI converter does this on every operation. Honoured as
        // written (each verifier sees the same token); the subject groups the copies.
        report('oauth2-and-oauth2', 'warning', req.origin, `this requirement ANDs ${oauth2.length} OAuth2/OpenID Connect schemes (${oauth2.map((u) => u.scheme).join(', ')}): a request carries one Bearer token, so the same token must satisfy every one of them`, oauth2.map((u) => u.scheme).join('+'));
      }
      const sameName = sameNameApiKeys(req.allOf.map((u) => schemes.get(u.scheme)));
      if (sameName && fresh) {
        // signl4 ANDs its header and query key (and OAuth2) at the root; almost surely meant
        // as alternatives, but honoured as written: both locations must carry a key.
        report('api-key-and-same-name', 'warning', req.origin, `this requirement ANDs apiKey schemes ${sameName.map((s) => `"${s.id}" (${s.in})`).join(' and ')}, which share the name "${sameName[0]!.name}": a request must carry the key in every one of those places; if either place was meant, list them as separate requirement objects`, sameName.map((s) => s.id).join('+'));
      }
      for (const use of req.allOf) {
        used.add(use.scheme);
        if (!fresh) continue;
        const scheme = schemes.get(use.scheme);
        if (!scheme) {
          if (!ctx.rejectedSchemes.has(use.scheme)) {
            ctx.unenforceable.set(use.scheme, 'it is not defined');
            report('undefined-scheme', 'error', use.origin, `security requirement names scheme "${use.scheme}", which is not defined${model.version === '2.0' ? ' in securityDefinitions' : ' in components.securitySchemes'}${didYouMean(use.scheme, [...schemes.keys(), ...ctx.rejectedSchemes])}`, use.scheme);
          }
          continue;
        }
        if (use.scopes.length === 0) continue;
        if (scheme.kind === 'oauth2') {
          const declared = declaredScopes(scheme);
          for (const scope of use.scopes) {
            if (declared && !declared.has(scope)) {
              report('undeclared-scope', 'warning', use.origin, `scope "${scope}" of scheme "${use.scheme}" is not declared by any of its flows`, `${use.scheme}:${scope}`);
            }
          }
        } else if (scheme.kind !== 'openIdConnect' && model.version !== '3.1') {
          report('scopes-on-non-oauth-scheme', 'warning', use.origin, `scheme "${use.scheme}" is ${scheme.kind}, but the requirement lists scopes (allowed only for oauth2/openIdConnect before OpenAPI 3.1); they are enforced against the principal's scopes`, use.scheme);
        }
      }
    }
  }

}

function unusedSchemes(ctx: CheckContext): void {
  const { model, used, report } = ctx;
  for (const s of model.schemes) {
    if (!used.has(s.id)) report('unused-scheme', 'warning', s.origin, `security scheme "${s.id}" is defined but no operation uses it`, s.id);
  }

}

function credentialsOverHttp(ctx: CheckContext): void {
  const { model, used, report } = ctx;
  const plainHttp = model.serverUrls.filter((u) => {
    const m = /^http:\/\/([^/:]+|\[[^\]]+\])/i.exec(u);
    return m !== null && !LOCAL_HOSTS.test(m[1] ?? '');
  });
  if (plainHttp.length > 0) {
    for (const s of model.schemes) {
      if (!used.has(s.id)) continue;
      if (s.kind === 'apiKey' || (s.kind === 'http' && s.scheme === 'basic')) {
        report('credentials-over-http', 'warning', s.origin, `scheme "${s.id}" sends a reusable secret, and server ${plainHttp[0]} is plain http://`, s.id);
      }
    }
  }

}

function duplicateOperationIds(ctx: CheckContext): void {
  const { model, report } = ctx;
  const ids = new Map<string, string>();
  for (const op of model.operations) {
    const first = ids.get(op.id);
    if (first !== undefined) {
      report('duplicate-operation-id', 'error', op.origin, `operationId "${op.id}" is also used at ${first}`, op.id);
    } else {
      ids.set(op.id, op.origin.at);
    }
  }
}

type ApiKeyScheme = Extract<Scheme, { kind: 'apiKey' }>;

/** apiKey schemes of one AND set that read the same name from different places (header names case-insensitive). */
function sameNameApiKeys(members: readonly (Scheme | undefined)[]): ApiKeyScheme[] | undefined {
  const byName = new Map<string, ApiKeyScheme[]>();
  for (const s of members) {
    if (s?.kind !== 'apiKey') continue;
    const key = s.name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), s]);
  }
  for (const group of byName.values()) if (new Set(group.map((s) => s.in)).size > 1) return group;
  return undefined;
}
