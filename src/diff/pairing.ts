// Which old thing is which new thing, before any rule looks at them. Pure functions
// from two models (or two OR lists) to typed pairs: operations pair by route, then by
// id (operationId, else "<method> <path>"); schemes by name, except that a scheme that
// disappeared while exactly one with an identical definition appeared is a rename;
// alternatives by identity first, then by the most schemes in common.
import type { Operation, OperationAuth, Requirement, Scheme, SecurityModel, Use } from '../ir/types.js';
import { canonicalJson } from '../shared/canonical-json.js';

/** In `after`'s order, then the removed ones in `before`'s order (the report's tiebreak). */
export type OperationPairing =
  | { readonly kind: 'matched'; readonly before: Operation; readonly after: Operation }
  | { readonly kind: 'added'; readonly after: Operation }
  | { readonly kind: 'removed'; readonly before: Operation };

/**
 * Operations pair by route first (method and path, parameter names ignored): the route
 * is what a request reaches, so giving a secured route another operation's id, or
 * renaming every id, must not hide a change of its security. What is left pairs by id
 * (an operation that moved to another route). A route two operations of one version
 * share (paths differing only in parameter names) pairs by id only.
 */
export function pairOperations(before: SecurityModel, after: SecurityModel): OperationPairing[] {
  const oldByRoute = uniqueBy(before.operations, routeKey);
  const newByRoute = uniqueBy(after.operations, routeKey);
  const partner = new Map<Operation, Operation>();
  for (const [key, op] of newByRoute) {
    const prev = oldByRoute.get(key);
    if (prev) partner.set(op, prev);
  }
  const pairedOld = new Set(partner.values());
  const oldById = new Map(before.operations.filter((o) => !pairedOld.has(o)).map((o) => [o.id, o]));
  for (const op of after.operations) {
    if (partner.has(op)) continue;
    const prev = oldById.get(op.id);
    if (prev) {
      partner.set(op, prev);
      pairedOld.add(prev);
      oldById.delete(op.id);
    }
  }
  const out: OperationPairing[] = [];
  for (const op of after.operations) {
    const prev = partner.get(op);
    out.push(prev ? { kind: 'matched', before: prev, after: op } : { kind: 'added', after: op });
  }
  for (const op of before.operations) if (!pairedOld.has(op)) out.push({ kind: 'removed', before: op });
  return out;
}

/** What a request reaches: the method and the path template with parameter names dropped. */
export function routeKey(op: Operation): string {
  return `${op.method} ${op.path.replace(/\{[^}]*\}/g, '{}')}`;
}

/** Key -> the one item with it; keys several items share are left out. */
function uniqueBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  const shared = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (out.has(k)) shared.add(k);
    else out.set(k, item);
  }
  for (const k of shared) out.delete(k);
  return out;
}

/** The definition without name, place and prose: what a rename keeps and a change alters. */
export function definitionOf(s: Scheme): Record<string, unknown> {
  const { id: _id, origin: _origin, description: _description, ...rest } = s;
  return rest;
}

/** Schemes that vanished while exactly one scheme with the same definition appeared. */
export function findRenames(before: SecurityModel, after: SecurityModel): Map<string, string> {
  const oldIds = new Set(before.schemes.map((s) => s.id));
  const newIds = new Set(after.schemes.map((s) => s.id));
  const gone = before.schemes.filter((s) => !newIds.has(s.id));
  const came = after.schemes.filter((s) => !oldIds.has(s.id));
  const signature = (s: Scheme): string => canonicalJson(definitionOf(s));
  const out = new Map<string, string>();
  for (const g of gone) {
    const sig = signature(g);
    const matches = came.filter((c) => signature(c) === sig);
    const rivals = gone.filter((x) => signature(x) === sig);
    if (matches.length === 1 && rivals.length === 1) out.set(g.id, matches[0]!.id);
  }
  return out;
}

/** Both models' schemes by name, and the renames between them. */
export interface SchemeIndex {
  /** Old scheme name -> new scheme name, for schemes renamed without other change. */
  readonly renames: ReadonlyMap<string, string>;
  readonly oldSchemes: ReadonlyMap<string, Scheme>;
  readonly newSchemes: ReadonlyMap<string, Scheme>;
  /** New name -> old name (the same name unless renamed). */
  readonly oldNameOf: ReadonlyMap<string, string>;
}

export function indexSchemes(before: SecurityModel, after: SecurityModel): SchemeIndex {
  const renames = findRenames(before, after);
  const oldSchemes = new Map(before.schemes.map((s) => [s.id, s]));
  const oldNameOf = new Map<string, string>();
  for (const s of oldSchemes.keys()) oldNameOf.set(renames.get(s) ?? s, s);
  return { renames, oldSchemes, newSchemes: new Map(after.schemes.map((s) => [s.id, s])), oldNameOf };
}

/** A scheme an operation's new security uses, with its old definition. */
export interface SchemePair {
  /** The name in the new version. */
  readonly name: string;
  readonly oldName: string;
  readonly before: Scheme;
  readonly after: Scheme;
  /** The operation used it (under its old name) before too. */
  readonly usedBefore: boolean;
}

/** The schemes `b` uses that exist in both versions, by new name in code-unit order. */
export function pairSchemesUsed(index: SchemeIndex, a: OperationAuth, b: OperationAuth): SchemePair[] {
  const rename = (s: string): string => index.renames.get(s) ?? s;
  const used = new Set(b.kind === 'public' ? [] : b.anyOf.flatMap((r) => r.allOf.map((u) => u.scheme)));
  const usedBefore = new Set(a.kind === 'public' ? [] : a.anyOf.flatMap((r) => r.allOf.map((u) => rename(u.scheme))));
  const out: SchemePair[] = [];
  // Default sort: code-unit order.
  for (const name of [...used].sort()) {
    const after = index.newSchemes.get(name);
    const oldName = index.oldNameOf.get(name);
    const before = oldName === undefined ? undefined : index.oldSchemes.get(oldName);
    if (after && before && oldName !== undefined) out.push({ name, oldName, before, after, usedBefore: usedBefore.has(name) });
  }
  return out;
}

/** An alternative as scheme -> use, with old scheme names mapped through renames. */
export interface Alt {
  readonly req: Requirement;
  /** Position in the OR list. */
  readonly index: number;
  readonly uses: ReadonlyMap<string, Use>;
  /** Equal for alternatives with the same schemes and the same scope sets. */
  readonly key: string;
}

export interface AltPair {
  readonly old: Alt;
  readonly new: Alt;
}

export interface AltPairing {
  /** Every old alternative (added ones are checked against all of them). */
  readonly olds: readonly Alt[];
  /** Identical alternatives, in the new list's order. */
  readonly exact: readonly AltPair[];
  /** Changed alternatives: most schemes in common first, spec order breaking ties. */
  readonly changed: readonly AltPair[];
  /** New alternatives with no counterpart, in spec order. */
  readonly added: readonly Alt[];
  /** Old alternatives with no counterpart, in spec order. */
  readonly removed: readonly Alt[];
}

function toAlt(req: Requirement, index: number, rename: (s: string) => string): Alt {
  const uses = new Map(req.allOf.map((u) => [rename(u.scheme), u]));
  const key = [...uses.entries()]
    .map(([s, u]) => `${JSON.stringify(s)}:${JSON.stringify([...u.scopes].sort())}`)
    .sort()
    .join('&');
  return { req, index, uses, key };
}

export function pairAlternatives(before: readonly Requirement[], after: readonly Requirement[], renames: ReadonlyMap<string, string>): AltPairing {
  const olds = before.map((r, i) => toAlt(r, i, (s) => renames.get(s) ?? s));
  const news = after.map((r, i) => toAlt(r, i, (s) => s));
  const freeOld = new Set(olds);
  const freeNew = new Set(news);
  const take = (o: Alt, n: Alt): AltPair => {
    freeOld.delete(o);
    freeNew.delete(n);
    return { old: o, new: n };
  };
  // 1. Identical alternatives (same schemes, same scopes as sets).
  const exact: AltPair[] = [];
  for (const n of news) {
    const o = [...freeOld].find((x) => x.key === n.key);
    if (o) exact.push(take(o, n));
  }
  // 2. Changed alternatives: pair by most schemes in common, spec order breaking ties.
  const candidates: { o: Alt; n: Alt; score: number }[] = [];
  for (const o of freeOld) for (const n of freeNew) {
    const score = [...o.uses.keys()].filter((s) => n.uses.has(s)).length;
    if (score > 0) candidates.push({ o, n, score });
  }
  candidates.sort((x, y) => y.score - x.score || x.o.index - y.o.index || x.n.index - y.n.index);
  const changed: AltPair[] = [];
  for (const c of candidates) if (freeOld.has(c.o) && freeNew.has(c.n)) changed.push(take(c.o, c.n));
  const byIndex = (x: Alt, y: Alt): number => x.index - y.index;
  return { olds, exact, changed, added: [...freeNew].sort(byIndex), removed: [...freeOld].sort(byIndex) };
}
