// Check stage: rules over the IR that turn spec mistakes into diagnostics. An AND
// set that names an undefined scheme is an error, never weakened to the schemes
// that exist (a lesson from ogen): generation refuses.
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics/types.js';
import type { Origin, OperationAuth, Scheme, SecurityModel } from '../ir/types.js';

/** RFC 9110 §5.1: a field name is a token. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Registered in the IANA HTTP Authentication Scheme registry and handled by the runtime. */
const KNOWN_HTTP_SCHEMES = new Set(['basic', 'bearer']);
const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export function checkModel(model: SecurityModel, rejectedSchemes: ReadonlySet<string> = new Set()): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: DiagnosticCode, severity: Severity, at: Origin, message: string, subject?: string): void => {
    const d: Diagnostic = { code, severity, message, file: at.file, pointer: at.at };
    out.push(subject === undefined ? d : { ...d, subject });
  };
  const schemes = new Map<string, Scheme>(model.schemes.map((s) => [s.id, s]));

  for (const s of model.schemes) {
    if (s.kind === 'apiKey' && s.in === 'header' && !HTTP_TOKEN.test(s.name)) {
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

  // Root and operation auth objects are shared when inherited: check each origin once.
  const seen = new Set<string>();
  const used = new Set<string>();
  const auths: OperationAuth[] = [];
  if (model.rootAuth) auths.push(model.rootAuth);
  for (const op of model.operations) auths.push(op.auth);
  for (const auth of auths) {
    if (auth.kind === 'public') continue;
    const key = auth.origin.file + '#' + auth.origin.at;
    const fresh = !seen.has(key);
    seen.add(key);
    for (const req of auth.anyOf) {
      if (req.allOf.filter((u) => schemes.get(u.scheme)?.kind === 'oauth2').length > 1 && fresh) {
        report('oauth2-and-oauth2', 'warning', req.origin, `this requirement ANDs ${req.allOf.length} OAuth2 schemes (${req.allOf.map((u) => u.scheme).join(', ')}): a request carries one Bearer token, so the same token must satisfy every one of them`);
      }
      for (const use of req.allOf) {
        used.add(use.scheme);
        if (!fresh) continue;
        const scheme = schemes.get(use.scheme);
        if (!scheme) {
          if (!rejectedSchemes.has(use.scheme)) {
            report('undefined-scheme', 'error', use.origin, `security requirement names scheme "${use.scheme}", which is not defined${model.version === '2.0' ? ' in securityDefinitions' : ' in components.securitySchemes'}`, use.scheme);
          }
          continue;
        }
        if (use.scopes.length === 0) continue;
        if (scheme.kind === 'oauth2') {
          const declared = new Set(scheme.flows.flatMap((f) => f.scopes));
          const anyDeclared = scheme.flows.some((f) => f.scopesDeclared);
          for (const scope of use.scopes) {
            if (anyDeclared && !declared.has(scope)) {
              report('undeclared-scope', 'warning', use.origin, `scope "${scope}" of scheme "${use.scheme}" is not declared by any of its flows`, `${use.scheme}:${scope}`);
            }
          }
        } else if (scheme.kind !== 'openIdConnect' && model.version !== '3.1') {
          report('scopes-on-non-oauth-scheme', 'warning', use.origin, `scheme "${use.scheme}" is ${scheme.kind}, but the requirement lists scopes (allowed only for oauth2/openIdConnect before OpenAPI 3.1); they are enforced against the principal's scopes`, use.scheme);
        }
      }
    }
  }

  for (const s of model.schemes) {
    if (!used.has(s.id)) report('unused-scheme', 'warning', s.origin, `security scheme "${s.id}" is defined but no operation uses it`, s.id);
  }

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

  const ids = new Map<string, string>();
  for (const op of model.operations) {
    const first = ids.get(op.id);
    if (first !== undefined) {
      report('duplicate-operation-id', 'error', op.origin, `operationId "${op.id}" is also used at ${first}`, op.id);
    } else {
      ids.set(op.id, op.origin.at);
    }
  }
  return out;
}
