// Where a JSON pointer is in a spec's text: a 1-based line and column, for SARIF
// results (code scanning marks that line in a pull request). The loader keeps no
// positions (swagger-parser hands over plain objects), so the text is parsed again,
// and only when positions are asked for: only src/report/sarif-locate.ts imports this
// module, and the commands import that one dynamically for `--format sarif`, so no
// other run loads the `yaml` package.
//
// Columns count UTF-16 code units (SARIF's default `columnKind`, and what a JavaScript
// string index is); a UTF-8 byte order mark is not counted. Lines end at `\n`, so CRLF
// files give the same lines and columns as LF ones.
//
// A member is located at its key (`/paths/~1pets/get` -> the `get:` line), an array
// item at the item's first character, `''` at line 1 column 1. A pointer that does not
// exist is located at its nearest existing ancestor, and the result says which one.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

export interface LocatedPointer extends SourcePosition {
  /** The pointer that was found: the one asked for, or its nearest existing ancestor. */
  readonly pointer: string;
}

export interface PositionIndex {
  locate(pointer: string): LocatedPointer;
}

/**
 * An index of one file's text, parsed on the first `locate` and reused after, so a
 * thousand results in one file cost one parse. Never throws: text it cannot parse
 * locates everything at line 1 column 1.
 */
export function indexPositions(source: string): PositionIndex {
  // Offsets are taken in the text without its BOM, so a BOM never shifts a column.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  let tree: Tree | undefined;
  let lineStarts: number[] | undefined;
  return {
    locate(pointer: string): LocatedPointer {
      tree ??= buildTree(text);
      lineStarts ??= startsOfLines(text);
      let step = { offset: 0, found: '' };
      try {
        step = descend(tree, pointerTokens(pointer));
      } catch {
        // A document odd enough to break the walk (e.g. nested beyond the stack): the root.
      }
      return { ...lineAndColumn(lineStarts, step.offset), pointer: step.found };
    },
  };
}

/** One-off lookup; use `indexPositions` for several pointers into the same text. */
export function locatePointer(source: string, pointer: string): LocatedPointer {
  return indexPositions(source).locate(pointer);
}

// ---- pointers ----------------------------------------------------------------

/**
 * The raw tokens of an RFC 6901 pointer (still `~`-escaped). A leading `#` (a `$ref`
 * fragment) is accepted, as the loader does.
 */
function pointerTokens(pointer: string): string[] {
  const body = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  return body === '' ? [] : body.split('/').slice(1);
}

const unescapeToken = (t: string): string => t.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * The member names a token may mean. Pointers the loader builds are plain RFC 6901;
 * those copied from a `$ref` fragment may also be percent-encoded (`my%20key`), so
 * the decoded form is tried second, only when the plain one is absent.
 */
function memberNames(token: string): string[] {
  const plain = unescapeToken(token);
  if (!token.includes('%')) return [plain];
  try {
    const decoded = unescapeToken(decodeURIComponent(token));
    return decoded === plain ? [plain] : [plain, decoded];
  } catch {
    return [plain];
  }
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

// ---- the walk, shared by both parsers ------------------------------------------

/**
 * The little a walk needs from a parsed document, the same for both parsers.
 * A step through a YAML alias is `frozen`: the alias's target is written at its anchor,
 * text that every user of the alias shares, so the position stays at the last step
 * that was still written out on this path (the alias, or the key holding it).
 */
interface Tree {
  readonly root: TreeNode | undefined;
}

interface TreeNode {
  /** The member `name` (the last one written wins, as in JSON.parse). */
  member(name: string): Step | undefined;
  /** The item at `index`. */
  item(index: number): Step | undefined;
}

interface Step {
  /** Where the member's key or the item starts. */
  readonly offset: number;
  readonly value: TreeNode | undefined;
  /** Inside an alias's target: `offset` is not used. */
  readonly frozen: boolean;
}

function descend(tree: Tree, tokens: readonly string[]): { offset: number; found: string } {
  let offset = 0;
  let found = '';
  let node = tree.root;
  for (const token of tokens) {
    if (!node) break;
    let step: Step | undefined;
    for (const name of memberNames(token)) step ??= node.member(name);
    if (!step && ARRAY_INDEX.test(token)) step = node.item(Number(token));
    if (!step) break;
    if (!step.frozen) offset = step.offset;
    found += '/' + token;
    node = step.value;
  }
  return { offset, found };
}

function buildTree(text: string): Tree {
  try {
    return isJson(text) ? jsonTree(text) : yamlTree(text);
  } catch {
    return { root: undefined };
  }
}

/** JSON.parse is a fast, exact test; flow-style YAML that is not JSON goes to the YAML parser. */
function isJson(text: string): boolean {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// ---- YAML (and JSON the fast path did not take) --------------------------------

function yamlTree(text: string): Tree {
  // uniqueKeys off: its check is quadratic in a mapping's size (a `paths` with thousands
  // of entries) and a duplicate is the loader's business, not ours. merge on: js-yaml,
  // which swagger-parser parses with, applies `<<` merge keys, so a pointer may name a
  // member that only a merge provides.
  const doc = parseDocument(text, { uniqueKeys: false, merge: true, keepSourceTokens: false, prettyErrors: false });
  // One TreeNode per YAML node (and alias state), so a mapping's member table is built once.
  const made = [new Map<unknown, TreeNode | undefined>(), new Map<unknown, TreeNode | undefined>()] as const;
  // Mappings whose merge keys are being followed: a mapping that merges itself ends the search.
  const merging = new Set<YAMLMap>();

  const nodeOf = (raw: unknown, insideAlias: boolean): TreeNode | undefined => {
    let node = raw;
    let frozen = insideAlias;
    if (isAlias(node)) {
      node = node.resolve(doc);
      frozen = true;
    }
    const cache = made[frozen ? 1 : 0];
    if (!cache.has(node)) cache.set(node, isMap(node) ? mapNode(node, frozen) : isSeq(node) ? seqNode(node, frozen) : undefined);
    return cache.get(node);
  };

  const mapNode = (map: YAMLMap, frozen: boolean): TreeNode => {
    let byName: Map<string, Pair> | undefined;
    return {
      member(name) {
        byName ??= memberTable(doc, map.items as Pair[]);
        const pair = byName.get(name);
        if (pair) return { offset: keyOffset(pair), value: nodeOf(pair.value, frozen), frozen };
        // Not written here: maybe brought in by a `<<` merge key (the first source that
        // has it wins, as in js-yaml). From an alias, it is located at the `<<` key.
        if (merging.has(map)) return undefined;
        merging.add(map);
        try {
          for (const merge of (map.items as Pair[]).filter((p) => isMergeKey(p.key))) {
            const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
            for (const source of sources) {
              const step = nodeOf(source, frozen)?.member(name);
              if (step) return step.frozen && !frozen ? { offset: keyOffset(merge), value: step.value, frozen: false } : step;
            }
          }
          return undefined;
        } finally {
          merging.delete(map);
        }
      },
      item: () => undefined,
    };
  };

  const seqNode = (seq: YAMLSeq, frozen: boolean): TreeNode => ({
    member: () => undefined,
    item(index) {
      const item = seq.items[index];
      if (item === undefined) return undefined;
      const offset = (item as Node | null)?.range?.[0] ?? seq.range?.[0] ?? 0;
      return { offset, value: nodeOf(item, frozen), frozen };
    },
  });

  return { root: nodeOf(doc.contents, false) };
}

/**
 * A mapping's members by the name a pointer uses: a scalar key's value as text (`200:`
 * is "200") and, when it differs, its source (`1.0:` is also "1.0"). The last one
 * written wins. Collection keys cannot be named by a pointer.
 */
function memberTable(doc: Document, pairs: readonly Pair[]): Map<string, Pair> {
  const out = new Map<string, Pair>();
  for (const pair of pairs) {
    const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
    if (!isScalar(key) || typeof key.value === 'symbol') continue;
    out.set(String(key.value), pair);
    if (key.source !== undefined && key.source !== String(key.value)) out.set(key.source, pair);
  }
  return out;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol';
}

function keyOffset(pair: Pair): number {
  const key = pair.key as Node | null;
  return key?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0;
}

// ---- JSON ---------------------------------------------------------------------
//
// The YAML parser takes seconds on a 4 MB JSON spec; this scan takes milliseconds.
// It runs only on text JSON.parse accepted, so it never meets malformed input. An
// object's members are listed once, on first visit, skipping over the values of
// the others; a lookup then costs only the path it takes.

function jsonTree(text: string): Tree {
  return { root: jsonNode(text, skipSpace(text, 0)) };
}

function jsonNode(text: string, at: number): TreeNode | undefined {
  const open = text[at];
  if (open === '{') {
    let members: Map<string, { key: number; value: number }> | undefined;
    return {
      member(name) {
        members ??= objectMembers(text, at);
        const m = members.get(name);
        return m ? { offset: m.key, value: jsonNode(text, m.value), frozen: false } : undefined;
      },
      item: () => undefined,
    };
  }
  if (open === '[') {
    let items: number[] | undefined;
    return {
      member: () => undefined,
      item(index) {
        items ??= arrayItems(text, at);
        const start = items[index];
        return start === undefined ? undefined : { offset: start, value: jsonNode(text, start), frozen: false };
      },
    };
  }
  return undefined;
}

/** Key offset and value offset of every member; a later duplicate replaces an earlier one. */
function objectMembers(text: string, open: number): Map<string, { key: number; value: number }> {
  const out = new Map<string, { key: number; value: number }>();
  let i = skipSpace(text, open + 1);
  if (text[i] === '}') return out;
  for (;;) {
    const key = i;
    const keyEnd = skipString(text, i);
    const raw = text.slice(key + 1, keyEnd - 1);
    const name = raw.includes('\\') ? (JSON.parse(text.slice(key, keyEnd)) as string) : raw;
    i = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the `:`
    out.set(name, { key, value: i });
    i = skipSpace(text, skipValue(text, i));
    if (text[i] !== ',') return out;
    i = skipSpace(text, i + 1);
  }
}

function arrayItems(text: string, open: number): number[] {
  const out: number[] = [];
  let i = skipSpace(text, open + 1);
  if (text[i] === ']') return out;
  for (;;) {
    out.push(i);
    i = skipSpace(text, skipValue(text, i));
    if (text[i] !== ',') return out;
    i = skipSpace(text, i + 1);
  }
}

/** The offset just past the value starting at `at`. */
function skipValue(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return skipString(text, at);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) i = skipString(text, i) - 1;
      else if (ch === 0x7b || ch === 0x5b) depth++;
      else if (ch === 0x7d || ch === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  // number, true, false, null
  let i = at;
  while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  return i;
}

/** The offset just past the string whose opening quote is at `at`. */
function skipString(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (;;) {
    const ch = text.charCodeAt(i);
    if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) i++;
    else return i;
  }
}

// ---- offsets to lines and columns -------------------------------------------

function startsOfLines(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAndColumn(starts: readonly number[], offset: number): SourcePosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}
