// Compare the security models of two spec versions and classify every change
// (issue 5): weakening, strengthening, client-breaking or neutral. Operations pair
// by id (operationId, else "<method> <path>"). Schemes pair by name, except that a
// scheme that disappeared while one with an identical definition appeared is a
// rename (client-breaking: generated clients key credentials by scheme name).
import type { Operation, OperationAuth, Origin, Requirement, Scheme, SecurityModel, Use } from '../ir/types.js';

export const CHANGE_CLASSES = ['weakening', 'client-breaking', 'strengthening', 'neutral'] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

export type ChangeRule =
  // weakening
  | 'became-public'
  | 'became-optional'
  | 'alternative-added'
  | 'and-scheme-removed'
  | 'scope-removed'
  | 'scheme-weaker'
  | 'new-public-operation'
  // strengthening
  | 'no-longer-public'
  | 'no-longer-optional'
  | 'and-scheme-added'
  | 'scope-added'
  | 'scheme-stronger'
  | 'public-operation-removed'
  // client-breaking
  | 'key-moved'
  | 'key-renamed'
  | 'scheme-renamed'
  | 'scheme-changed'
  | 'alternative-removed'
  // neutral
  | 'alternatives-reordered'
  | 'alternative-added-implied'
  | 'source-changed'
  | 'description-changed'
  | 'scheme-details-changed'
  | 'operation-added'
  | 'operation-removed'
  | 'operation-moved';

export interface OperationRef {
  readonly id: string;
  readonly method: string;
  readonly path: string;
}

export interface Change {
  readonly class: ChangeClass;
  readonly rule: ChangeRule;
  readonly operation: OperationRef;
  readonly message: string;
  /** Where the change is in the old version; `null` when it has no counterpart there. */
  readonly old: Origin | null;
  /** Where the change is in the new version; `null` when it has no counterpart there. */
  readonly new: Origin | null;
}

const CLASS_OF: Record<ChangeRule, ChangeClass> = {
  'became-public': 'weakening',
  'became-optional': 'weakening',
  'alternative-added': 'weakening',
  'and-scheme-removed': 'weakening',
  'scope-removed': 'weakening',
  'scheme-weaker': 'weakening',
  'new-public-operation': 'weakening',
  'no-longer-public': 'strengthening',
  'no-longer-optional': 'strengthening',
  'and-scheme-added': 'strengthening',
  'scope-added': 'strengthening',
  'scheme-stronger': 'strengthening',
  'public-operation-removed': 'strengthening',
  'key-moved': 'client-breaking',
  'key-renamed': 'client-breaking',
  'scheme-renamed': 'client-breaking',
  'scheme-changed': 'client-breaking',
  'alternative-removed': 'client-breaking',
  'alternatives-reordered': 'neutral',
  'alternative-added-implied': 'neutral',
  'source-changed': 'neutral',
  'description-changed': 'neutral',
  'scheme-details-changed': 'neutral',
  'operation-added': 'neutral',
  'operation-removed': 'neutral',
  'operation-moved': 'neutral',
};

/** Every rule, in the order of the table above. */
export const CHANGE_RULES = Object.keys(CLASS_OF) as ChangeRule[];

export function classOf(rule: ChangeRule): ChangeClass {
  return CLASS_OF[rule];
}

/** Every security change from `before` to `after`, sorted by class, then operation. */
export function compareModels(before: SecurityModel, after: SecurityModel): Change[] {
  const renames = findRenames(before, after);
  const oldSchemes = new Map(before.schemes.map((s) => [s.id, s]));
  const newSchemes = new Map(after.schemes.map((s) => [s.id, s]));
  const oldOps = new Map(before.operations.map((o) => [o.id, o]));
  const newOps = new Map(after.operations.map((o) => [o.id, o]));
  const changes: Change[] = [];
  const ctx: Ctx = { renames, oldSchemes, newSchemes, changes };

  for (const op of after.operations) {
    const prev = oldOps.get(op.id);
    if (prev) compareOperation(ctx, prev, op);
    else if (reachableWithout(op.auth) && requiresElsewhere(after, op)) {
      add(ctx, 'new-public-operation', op, `new operation, ${op.auth.kind === 'public' ? 'public' : 'reachable without credentials'}, while the API requires credentials elsewhere`, null, op.auth.origin);
    } else add(ctx, 'operation-added', op, `operation added (${describeAuth(op.auth)})`, null, op.origin);
  }
  for (const op of before.operations) {
    if (newOps.has(op.id)) continue;
    if (reachableWithout(op.auth) && requiresElsewhere(before, op)) {
      add(ctx, 'public-operation-removed', op, `operation removed; it was reachable without credentials`, op.auth.origin, null);
    } else add(ctx, 'operation-removed', op, `operation removed`, op.origin, null);
  }
  return sortChanges(changes);
}

interface Ctx {
  /** Old scheme name -> new scheme name, for schemes renamed without other change. */
  readonly renames: ReadonlyMap<string, string>;
  readonly oldSchemes: ReadonlyMap<string, Scheme>;
  readonly newSchemes: ReadonlyMap<string, Scheme>;
  readonly changes: Change[];
}

function add(ctx: Ctx, rule: ChangeRule, op: Operation, message: string, oldAt: Origin | null, newAt: Origin | null): void {
  ctx.changes.push({ class: CLASS_OF[rule], rule, operation: { id: op.id, method: op.method, path: op.path }, message, old: oldAt, new: newAt });
}


function reachableWithout(auth: OperationAuth): boolean {
  return auth.kind !== 'required';
}

/** Does the API require credentials somewhere other than `op` (root default or another operation)? */
function requiresElsewhere(model: SecurityModel, op: Operation): boolean {
  if (model.rootAuth && model.rootAuth.kind === 'required') return true;
  return model.operations.some((o) => o.id !== op.id && o.auth.kind === 'required');
}

function describeAuth(auth: OperationAuth): string {
  if (auth.kind === 'public') return 'public';
  const alts = auth.anyOf.map((r) => r.allOf.map((u) => u.scheme + (u.scopes.length ? ` [${u.scopes.join(', ')}]` : '')).join(' + '));
  if (auth.kind === 'optional') alts.push('anonymous');
  return alts.join(' or ');
}

function compareOperation(ctx: Ctx, before: Operation, after: Operation): void {
  if (before.method !== after.method || before.path !== after.path) {
    add(ctx, 'operation-moved', after, `operation moved from ${before.method.toUpperCase()} ${before.path} to ${after.method.toUpperCase()} ${after.path}`, before.origin, after.origin);
  }
  const a = before.auth;
  const b = after.auth;
  const at = (x: OperationAuth): Origin => x.origin;
  const where = (x: OperationAuth): string => (x.source === 'root' ? 'the root default' : x.source === 'operation' ? 'the operation' : 'no security anywhere');
  const start = ctx.changes.length;

  if (a.kind !== b.kind) {
    if (b.kind === 'public') add(ctx, 'became-public', after, `became public (was ${describeAuth(a)})`, at(a), at(b));
    else if (a.kind === 'public') add(ctx, 'no-longer-public', after, `no longer public (now ${describeAuth(b)})`, at(a), at(b));
    else if (b.kind === 'optional') add(ctx, 'became-optional', after, `became optional: callers without credentials are now let in (anonymous alternative {} added)`, at(a), at(b));
    else add(ctx, 'no-longer-optional', after, `no longer allows anonymous callers (anonymous alternative {} removed)`, at(a), at(b));
  }
  if (a.kind !== 'public' && b.kind !== 'public') compareAlternatives(ctx, after, a.anyOf, b.anyOf, a, b);
  compareSchemesUsed(ctx, after, a, b);
  if (ctx.changes.length === start && a.source !== b.source) {
    add(ctx, 'source-changed', after, `same security, now taken from ${where(b)} (was ${where(a)})`, at(a), at(b));
  }
}

/** An alternative as scheme -> scopes, with old scheme names mapped through renames. */
interface Alt {
  readonly req: Requirement;
  readonly index: number;
  readonly uses: ReadonlyMap<string, Use>;
  readonly key: string;
}

function toAlt(req: Requirement, index: number, rename: (s: string) => string): Alt {
  const uses = new Map(req.allOf.map((u) => [rename(u.scheme), u]));
  const key = [...uses.entries()]
    .map(([s, u]) => `${JSON.stringify(s)}:${JSON.stringify([...u.scopes].sort())}`)
    .sort()
    .join('&');
  return { req, index, uses, key };
}

function compareAlternatives(ctx: Ctx, op: Operation, before: readonly Requirement[], after: readonly Requirement[], authA: OperationAuth, authB: OperationAuth): void {
  const rename = (s: string): string => ctx.renames.get(s) ?? s;
  const olds = before.map((r, i) => toAlt(r, i, rename));
  const news = after.map((r, i) => toAlt(r, i, (s) => s));
  const pairs: [Alt, Alt][] = [];
  const freeOld = new Set(olds);
  const freeNew = new Set(news);
  // 1. Identical alternatives (same schemes, same scopes as sets).
  for (const n of news) {
    const o = [...freeOld].find((x) => x.key === n.key);
    if (o) {
      pairs.push([o, n]);
      freeOld.delete(o);
      freeNew.delete(n);
    }
  }
  const exact = pairs.length;
  // 2. Changed alternatives: pair by most schemes in common, spec order breaking ties.
  const candidates: { o: Alt; n: Alt; score: number }[] = [];
  for (const o of freeOld) for (const n of freeNew) {
    const score = [...o.uses.keys()].filter((s) => n.uses.has(s)).length;
    if (score > 0) candidates.push({ o, n, score });
  }
  candidates.sort((x, y) => y.score - x.score || x.o.index - y.o.index || x.n.index - y.n.index);
  for (const c of candidates) {
    if (!freeOld.has(c.o) || !freeNew.has(c.n)) continue;
    pairs.push([c.o, c.n]);
    freeOld.delete(c.o);
    freeNew.delete(c.n);
  }

  // Order of equivalent items. Only the OR order survives normalization (the first
  // alternative that verifies wins); AND members and scopes are kept sorted in the IR.
  const exactPairs = pairs.slice(0, exact);
  const byOld = [...exactPairs].sort((x, y) => x[0].index - y[0].index).map((p) => p[1].index);
  if (byOld.some((v, i) => i > 0 && v < byOld[i - 1]!)) {
    add(ctx, 'alternatives-reordered', op, `alternatives reordered (same alternatives; the first one that verifies wins)`, authA.origin, authB.origin);
  }
  for (const [o, n] of pairs.slice(exact)) {
    for (const [s, uo] of o.uses) {
      if (!n.uses.has(s)) {
        add(ctx, 'and-scheme-removed', op, `${s} removed from the AND set ${altName(o)}; ${altName(n)} now suffices`, uo.origin, n.req.origin);
      }
    }
    for (const [s, un] of n.uses) {
      const uo = o.uses.get(s);
      if (!uo) {
        add(ctx, 'and-scheme-added', op, `${s} added to the AND set, now ${altName(n)} (was ${altName(o)})`, o.req.origin, un.origin);
        continue;
      }
      const removed = uo.scopes.filter((x) => !un.scopes.includes(x));
      const added = un.scopes.filter((x) => !uo.scopes.includes(x));
      if (removed.length > 0) add(ctx, 'scope-removed', op, `${s} no longer requires scope${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`, uo.origin, un.origin);
      if (added.length > 0) add(ctx, 'scope-added', op, `${s} now also requires scope${added.length > 1 ? 's' : ''} ${added.join(', ')}`, uo.origin, un.origin);
    }
  }

  for (const n of [...freeNew].sort((x, y) => x.index - y.index)) {
    const implied = olds.find((o) => [...o.uses].every(([s, uo]) => n.uses.get(s) !== undefined && uo.scopes.every((x) => n.uses.get(s)!.scopes.includes(x))));
    if (implied) add(ctx, 'alternative-added-implied', op, `alternative ${altName(n)} added; no new way in (anyone meeting it already meets ${altName(implied)})`, authA.origin, n.req.origin);
    else add(ctx, 'alternative-added', op, `alternative ${altName(n)} added (one more way in)`, authA.origin, n.req.origin);
  }
  for (const o of [...freeOld].sort((x, y) => x.index - y.index)) {
    add(ctx, 'alternative-removed', op, `alternative ${altName(o)} removed (clients using it are refused)`, o.req.origin, authB.origin);
  }
}

function altName(alt: Alt): string {
  return `{${[...alt.uses.entries()].map(([s, u]) => s + (u.scopes.length ? ` [${u.scopes.join(', ')}]` : '')).join(' + ')}}`;
}

/** Scheme definition changes, reported on every operation whose new security uses the scheme. */
function compareSchemesUsed(ctx: Ctx, op: Operation, a: OperationAuth, b: OperationAuth): void {
  const used = new Set(b.kind === 'public' ? [] : b.anyOf.flatMap((r) => r.allOf.map((u) => u.scheme)));
  const oldNames = new Map<string, string>(); // new name -> old name
  for (const s of ctx.oldSchemes.keys()) oldNames.set(ctx.renames.get(s) ?? s, s);
  const usedBefore = new Set(a.kind === 'public' ? [] : a.anyOf.flatMap((r) => r.allOf.map((u) => ctx.renames.get(u.scheme) ?? u.scheme)));
  for (const name of [...used].sort()) {
    const after = ctx.newSchemes.get(name);
    const oldName = oldNames.get(name);
    const before = oldName === undefined ? undefined : ctx.oldSchemes.get(oldName);
    if (!after || !before) continue;
    if (oldName !== name && usedBefore.has(name)) {
      add(ctx, 'scheme-renamed', op, `scheme ${oldName} renamed to ${name} (clients pass credentials by scheme name)`, before.origin, after.origin);
    }
    for (const [rule, message] of schemeChanges(before, after)) add(ctx, rule, op, message, before.origin, after.origin);
  }
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
  } else if (canonical(body(before)) !== canonical(body(after))) {
    out.push(['scheme-details-changed', `scheme ${name}: definition details changed (${detailNames(before, after).join(', ')})`]);
  }
  if ((before.description ?? '') !== (after.description ?? '')) out.push(['description-changed', `scheme ${name}: description changed`]);
  return out;
}

function detailNames(before: Scheme, after: Scheme): string[] {
  const a = body(before) as Record<string, unknown>;
  const b = body(after) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonical(a[k]) !== canonical(b[k])).sort();
}

/** The definition without name, place and prose: what a rename keeps and a change alters. */
function body(s: Scheme): unknown {
  const { id: _id, origin: _origin, description: _description, ...rest } = s;
  return rest;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** Schemes that vanished while exactly one scheme with the same definition appeared. */
export function findRenames(before: SecurityModel, after: SecurityModel): Map<string, string> {
  const oldIds = new Set(before.schemes.map((s) => s.id));
  const newIds = new Set(after.schemes.map((s) => s.id));
  const gone = before.schemes.filter((s) => !newIds.has(s.id));
  const came = after.schemes.filter((s) => !oldIds.has(s.id));
  const out = new Map<string, string>();
  for (const g of gone) {
    const sig = canonical(body(g));
    const matches = came.filter((c) => canonical(body(c)) === sig);
    const rivals = gone.filter((x) => canonical(body(x)) === sig);
    if (matches.length === 1 && rivals.length === 1) out.set(g.id, matches[0]!.id);
  }
  return out;
}

const METHOD_ORDER = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

function sortChanges(changes: readonly Change[]): Change[] {
  return changes
    .map((c, i) => ({ c, i }))
    .sort(
      (x, y) =>
        CHANGE_CLASSES.indexOf(x.c.class) - CHANGE_CLASSES.indexOf(y.c.class) ||
        cmp(x.c.operation.path, y.c.operation.path) ||
        METHOD_ORDER.indexOf(x.c.operation.method) - METHOD_ORDER.indexOf(y.c.operation.method) ||
        cmp(x.c.operation.id, y.c.operation.id) ||
        x.i - y.i,
    )
    .map((x) => x.c);
}
