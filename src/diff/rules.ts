// The diff rules, one function per kind of change, each returning findings (data)
// for the class table in classes.ts to classify. They read pairs made by pairing.ts
// and never pair anything themselves. Each function's comment lists the rules it emits.
import type { Operation, OperationAuth, Scheme, SecurityModel } from '../ir/types.js';
import { canonicalJson } from '../shared/canonical-json.js';
import type { ChangeRule, Finding } from './classes.js';
import { definitionOf, type Alt, type AltPairing, type SchemePair } from './pairing.js';

const finding = (rule: ChangeRule, message: string, old: Finding['old'], now: Finding['new']): Finding => ({ rule, message, old, new: now });

/** Does the API require credentials somewhere other than `op` (root default or another operation)? */
function requiresElsewhere(model: SecurityModel, op: Operation): boolean {
  if (model.rootAuth && model.rootAuth.kind === 'required') return true;
  return model.operations.some((o) => o.id !== op.id && o.auth.kind === 'required');
}

export function describeAuth(auth: OperationAuth): string {
  if (auth.kind === 'public') return 'public';
  const alts = auth.anyOf.map((r) => r.allOf.map((u) => u.scheme + (u.scopes.length ? ` [${u.scopes.join(', ')}]` : '')).join(' + '));
  if (auth.kind === 'optional') alts.push('anonymous');
  return alts.join(' or ');
}

/** new-public-operation, operation-added: a new way in matters only where others need credentials. */
export function operationAdded(after: SecurityModel, op: Operation, before?: SecurityModel): Finding {
  // Against the old version too: a change that makes everything public adds no "elsewhere".
  if (op.auth.kind !== 'required' && (requiresElsewhere(after, op) || (before !== undefined && requiresElsewhere(before, op)))) {
    return finding('new-public-operation', `new operation, ${op.auth.kind === 'public' ? 'public' : 'reachable without credentials'}, while the API requires credentials elsewhere`, null, op.auth.origin);
  }
  return finding('operation-added', `operation added (${describeAuth(op.auth)})`, null, op.origin);
}

/** public-operation-removed, operation-removed. */
export function operationRemoved(before: SecurityModel, op: Operation): Finding {
  if (op.auth.kind !== 'required' && requiresElsewhere(before, op)) {
    return finding('public-operation-removed', `operation removed; it was reachable without credentials`, op.auth.origin, null);
  }
  return finding('operation-removed', `operation removed`, op.origin, null);
}

/** operation-moved: same id, another route; operation-renamed: same route, another id. */
export function operationMoved(before: Operation, after: Operation): Finding[] {
  if (before.id !== after.id) return [finding('operation-renamed', `operation ${JSON.stringify(before.id)} is now ${JSON.stringify(after.id)} (same route)`, before.origin, after.origin)];
  if (before.method === after.method && before.path === after.path) return [];
  return [finding('operation-moved', `operation moved from ${before.method.toUpperCase()} ${before.path} to ${after.method.toUpperCase()} ${after.path}`, before.origin, after.origin)];
}

/** became-public, no-longer-public, became-optional, no-longer-optional. */
export function authKindChanged(a: OperationAuth, b: OperationAuth): Finding[] {
  if (a.kind === b.kind) return [];
  if (b.kind === 'public') return [finding('became-public', `became public (was ${describeAuth(a)})`, a.origin, b.origin)];
  if (a.kind === 'public') return [finding('no-longer-public', `no longer public (now ${describeAuth(b)})`, a.origin, b.origin)];
  if (b.kind === 'optional') return [finding('became-optional', `became optional: callers without credentials are now let in (anonymous alternative {} added)`, a.origin, b.origin)];
  return [finding('no-longer-optional', `no longer allows anonymous callers (anonymous alternative {} removed)`, a.origin, b.origin)];
}

/**
 * alternatives-reordered. Only the OR order survives normalization (the first
 * alternative that verifies wins); AND members and scopes are kept sorted in the IR.
 */
export function alternativesReordered(pairs: AltPairing, a: OperationAuth, b: OperationAuth): Finding[] {
  const byOld = [...pairs.exact].sort((x, y) => x.old.index - y.old.index).map((p) => p.new.index);
  if (!byOld.some((v, i) => i > 0 && v < byOld[i - 1]!)) return [];
  return [finding('alternatives-reordered', `alternatives reordered (same alternatives; the first one that verifies wins)`, a.origin, b.origin)];
}

/** and-scheme-removed, and-scheme-added, scope-removed, scope-added: inside changed alternatives. */
export function andSetsChanged(pairs: AltPairing): Finding[] {
  const out: Finding[] = [];
  for (const { old: o, new: n } of pairs.changed) {
    for (const [s, uo] of o.uses) {
      if (!n.uses.has(s)) out.push(finding('and-scheme-removed', `${s} removed from the AND set ${altName(o)}; ${altName(n)} now suffices`, uo.origin, n.req.origin));
    }
    for (const [s, un] of n.uses) {
      const uo = o.uses.get(s);
      if (!uo) {
        out.push(finding('and-scheme-added', `${s} added to the AND set, now ${altName(n)} (was ${altName(o)})`, o.req.origin, un.origin));
        continue;
      }
      const removed = uo.scopes.filter((x) => !un.scopes.includes(x));
      const added = un.scopes.filter((x) => !uo.scopes.includes(x));
      if (removed.length > 0) out.push(finding('scope-removed', `${s} no longer requires scope${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`, uo.origin, un.origin));
      if (added.length > 0) out.push(finding('scope-added', `${s} now also requires scope${added.length > 1 ? 's' : ''} ${added.join(', ')}`, uo.origin, un.origin));
    }
  }
  return out;
}

/**
 * alternative-added, alternative-added-implied, alternative-removed. An added
 * alternative is no new way in when an old one asks for a subset of it.
 */
export function alternativesAddedRemoved(pairs: AltPairing, a: OperationAuth, b: OperationAuth): Finding[] {
  const out: Finding[] = [];
  for (const n of pairs.added) {
    const implied = pairs.olds.find((o) => [...o.uses].every(([s, uo]) => n.uses.get(s) !== undefined && uo.scopes.every((x) => n.uses.get(s)!.scopes.includes(x))));
    if (implied) out.push(finding('alternative-added-implied', `alternative ${altName(n)} added; no new way in (anyone meeting it already meets ${altName(implied)})`, a.origin, n.req.origin));
    else out.push(finding('alternative-added', `alternative ${altName(n)} added (one more way in)`, a.origin, n.req.origin));
  }
  for (const o of pairs.removed) out.push(finding('alternative-removed', `alternative ${altName(o)} removed (clients using it are refused)`, o.req.origin, b.origin));
  return out;
}

function altName(alt: Alt): string {
  return `{${[...alt.uses.entries()].map(([s, u]) => s + (u.scopes.length ? ` [${u.scopes.join(', ')}]` : '')).join(' + ')}}`;
}

/** source-changed: only when nothing else changed, so it never hides behind a real change. */
export function sourceChanged(a: OperationAuth, b: OperationAuth): Finding[] {
  if (a.source === b.source) return [];
  const where = (x: OperationAuth): string => (x.source === 'root' ? 'the root default' : x.source === 'operation' ? 'the operation' : 'no security anywhere');
  return [finding('source-changed', `same security, now taken from ${where(b)} (was ${where(a)})`, a.origin, b.origin)];
}

/**
 * scheme-renamed (clients pass credentials by scheme name), then what schemeChanges
 * finds: reported on every operation whose new security uses the scheme.
 */
export function schemeChanged(pair: SchemePair): Finding[] {
  const { name, oldName, before, after } = pair;
  const out: Finding[] = [];
  if (oldName !== name && pair.usedBefore) {
    out.push(finding('scheme-renamed', `scheme ${oldName} renamed to ${name} (clients pass credentials by scheme name)`, before.origin, after.origin));
  }
  for (const [rule, message] of schemeChanges(before, after)) out.push(finding(rule, message, before.origin, after.origin));
  return out;
}

/** Strength of a scheme kind: a change to a lower rank is a weakening. */
export function schemeRank(s: Scheme): number {
  switch (s.kind) {
    case 'mutualTLS':
      return 4;
    case 'oauth2':
    case 'openIdConnect':
      return 3;
    case 'http':
      return s.scheme === 'basic' ? 1 : 2;
    case 'apiKey':
      return 1;
    default: {
      const never: never = s;
      return never;
    }
  }
}

function kindName(s: Scheme): string {
  if (s.kind === 'http') return `http ${s.scheme}`;
  if (s.kind === 'apiKey') return `apiKey (${s.in} ${s.name})`;
  return s.kind;
}

/** scheme-weaker, scheme-stronger, scheme-changed, key-moved, key-renamed, scheme-details-changed, description-changed. */
function schemeChanges(before: Scheme, after: Scheme): [ChangeRule, string][] {
  const out: [ChangeRule, string][] = [];
  const name = after.id;
  const sameKind = before.kind === after.kind && (before.kind !== 'http' || after.kind !== 'http' || before.scheme === after.scheme);
  if (!sameKind) {
    const ra = schemeRank(before);
    const rb = schemeRank(after);
    const rule: ChangeRule = rb < ra ? 'scheme-weaker' : rb > ra ? 'scheme-stronger' : 'scheme-changed';
    const how = rb < ra ? 'a weaker kind' : rb > ra ? 'a stronger kind' : 'another kind';
    out.push([rule, `scheme ${name} changed to ${how}: ${kindName(before)} -> ${kindName(after)}`]);
  } else if (before.kind === 'apiKey' && after.kind === 'apiKey') {
    if (before.in !== after.in) out.push(['key-moved', `scheme ${name}: key moved from ${before.in} ${before.name} to ${after.in} ${after.name}`]);
    else if (before.in === 'header' ? before.name.toLowerCase() !== after.name.toLowerCase() : before.name !== after.name) {
      out.push(['key-renamed', `scheme ${name}: ${before.in} ${before.name} renamed to ${after.name}`]);
    } else if (before.name !== after.name) out.push(['scheme-details-changed', `scheme ${name}: header name spelled ${after.name} (was ${before.name}; header names are case-insensitive)`]);
  } else {
    for (const message of endpointChanges(before, after)) out.push(['credential-endpoint-changed', `scheme ${name}: ${message}`]);
    // Other details: compared with the endpoint URLs taken as the new ones, so a URL change is reported once.
    const rest = withEndpointsOf(before, after);
    if (canonicalJson(definitionOf(rest)) !== canonicalJson(definitionOf(after))) {
      out.push(['scheme-details-changed', `scheme ${name}: definition details changed (${detailNames(rest, after).join(', ')})`]);
    }
  }
  if ((before.description ?? '') !== (after.description ?? '')) out.push(['description-changed', `scheme ${name}: description changed`]);
  return out;
}

function detailNames(before: Scheme, after: Scheme): string[] {
  const a = definitionOf(before);
  const b = definitionOf(after);
  // Default sort: code-unit order.
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

const FLOW_URLS = ['tokenUrl', 'authorizationUrl', 'refreshUrl'] as const;
const FLOW_URL_USE: Record<(typeof FLOW_URLS)[number], string> = {
  tokenUrl: 'the generated client sends its client credentials and codes there',
  authorizationUrl: 'users are sent there to sign in',
  refreshUrl: 'the generated client sends its refresh tokens there',
};

/** credential-endpoint-changed: a flow (present in both) or an OpenID Connect scheme now names another URL. */
function endpointChanges(before: Scheme, after: Scheme): string[] {
  const out: string[] = [];
  if (before.kind === 'openIdConnect' && after.kind === 'openIdConnect' && before.url !== after.url) {
    out.push(`openIdConnectUrl changed from ${before.url} to ${after.url} (clients discover the token endpoint there)`);
  }
  if (before.kind === 'oauth2' && after.kind === 'oauth2') {
    for (const fa of before.flows) {
      const fb = after.flows.find((f) => f.flow === fa.flow);
      if (!fb) continue;
      for (const key of FLOW_URLS) {
        if (fa[key] !== fb[key]) out.push(`${fa.flow} ${key} changed from ${fa[key] ?? '(none)'} to ${fb[key] ?? '(none)'} (${FLOW_URL_USE[key]})`);
      }
    }
  }
  return out;
}

/** `before` with the endpoint URLs of `after` (for flows in both), so other details compare on their own. */
function withEndpointsOf(before: Scheme, after: Scheme): Scheme {
  if (before.kind === 'openIdConnect' && after.kind === 'openIdConnect') return { ...before, url: after.url };
  if (before.kind === 'oauth2' && after.kind === 'oauth2') {
    const flows = before.flows.map((fa) => {
      const fb = after.flows.find((f) => f.flow === fa.flow);
      if (!fb) return fa;
      const { tokenUrl: _t, authorizationUrl: _a, refreshUrl: _r, ...restA } = fa;
      return { ...restA, ...(fb.authorizationUrl !== undefined ? { authorizationUrl: fb.authorizationUrl } : {}), ...(fb.tokenUrl !== undefined ? { tokenUrl: fb.tokenUrl } : {}), ...(fb.refreshUrl !== undefined ? { refreshUrl: fb.refreshUrl } : {}) };
    });
    return { ...before, flows };
  }
  return before;
}

/** The origin (scheme://host:port) of a server URL; `(relative)` for a relative one. */
export function serverOrigin(url: string): string {
  const schemeRelative = /^\/\/[^/?#]*/.exec(url);
  if (schemeRelative) return schemeRelative[0].toLowerCase();
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  // A relative URL: the same origin as wherever the document is served from, whatever its path.
  if (!m) return '(relative)';
  try {
    const origin = new URL(m[1]!).origin;
    if (origin !== 'null') return origin;
  } catch {
    // a templated host ({region}.example.com without a default): compare as written
  }
  return m[1]!.toLowerCase();
}

/**
 * server-origin-changed: the first server's origin (where a generated client sends
 * requests, and so credentials, by default) or the set of origins changed. API-wide.
 */
export function serversChanged(before: SecurityModel, after: SecurityModel): Finding[] {
  const a = before.serverUrls.map(serverOrigin);
  const b = after.serverUrls.map(serverOrigin);
  const setA = [...new Set(a)].sort();
  const setB = [...new Set(b)].sort();
  if (a[0] === b[0] && canonicalJson(setA) === canonicalJson(setB)) return [];
  const list = (xs: readonly string[]): string => (xs.length === 0 ? '(none)' : xs.join(', '));
  const message =
    a[0] !== b[0]
      ? `server origin changed from ${a[0] ?? '(none)'} to ${b[0] ?? '(none)'} (requests and credentials go there)`
      : `server origins changed from ${list(setA)} to ${list(setB)} (credentials may be sent there)`;
  const at = (m: SecurityModel): Finding['old'] => ({ file: m.file, at: m.version === '2.0' ? '/host' : '/servers' });
  return [finding('server-origin-changed', message, at(before), at(after))];
}
