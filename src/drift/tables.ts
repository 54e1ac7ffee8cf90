// What `codegen check` says before any file diff: which operations' security the
// committed output enforces differently from the spec. Both sides are read from the
// `operations` table of security.ts (the committed file and the fresh plan), with a
// parser for exactly the literal syntax emit/literal.ts prints (JSON values, bare or
// quoted keys, `["__proto__"]` keys, trailing commas). A file it cannot read (edited
// by hand, an old format) yields no summary, never an error: the file diffs follow anyway.
import { canonicalJson } from '../shared/canonical-json.js';
import { compareCodeUnits } from '../shared/order.js';

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

class LiteralParser {
  private i = 0;
  constructor(private readonly text: string) {}

  parse(): Value {
    const value = this.value();
    this.space();
    return value;
  }

  private space(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i] as string)) this.i++;
  }

  private value(): Value {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.i, this.i + 40));
    if (m === null) throw new SyntaxError(`unexpected ${JSON.stringify(c)} at ${this.i}`);
    this.i += m[0].length;
    return JSON.parse(m[0]) as Value;
  }

  private string(): string {
    const m = /^"(?:[^"\\\n]|\\.)*"/.exec(this.text.slice(this.i));
    if (m === null) throw new SyntaxError(`bad string at ${this.i}`);
    this.i += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private key(): string {
    this.space();
    const c = this.text[this.i];
    if (c === '"') return this.string();
    if (c === '[') {
      this.i++;
      this.space();
      const k = this.string();
      this.space();
      this.expect(']');
      return k;
    }
    const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.i, this.i + 200));
    if (m === null) throw new SyntaxError(`bad key at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  private expect(c: string): void {
    if (this.text[this.i] !== c) throw new SyntaxError(`expected ${c} at ${this.i}`);
    this.i++;
  }

  private object(): { [key: string]: Value } {
    this.expect('{');
    const out: { [key: string]: Value } = {};
    for (;;) {
      this.space();
      if (this.text[this.i] === '}') break;
      const k = this.key();
      this.space();
      this.expect(':');
      Object.defineProperty(out, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      if (this.text[this.i] === ',') this.i++;
    }
    this.i++;
    return out;
  }

  private array(): Value[] {
    this.expect('[');
    const out: Value[] = [];
    for (;;) {
      this.space();
      if (this.text[this.i] === ']') break;
      out.push(this.value());
      this.space();
      if (this.text[this.i] === ',') this.i++;
    }
    this.i++;
    return out;
  }
}

type AuthRow = { kind?: string; anyOf?: { scheme?: string; scopes?: string[] }[][]; at?: number[]; anonymousAt?: number };

/** The `operations` table of a security.ts, or undefined when the file is not one this version can read. */
export function operationsTableOf(securityTs: string): { readonly [id: string]: { readonly auth?: AuthRow } } | undefined {
  const start = securityTs.indexOf('export const operations = ');
  if (start === -1) return undefined;
  const from = start + 'export const operations = '.length;
  try {
    // One value from there: the parser stops where the literal ends (a key may contain " as const;").
    const value = new LiteralParser(securityTs.slice(from)).parse();
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { [id: string]: { auth?: AuthRow } }) : undefined;
  } catch {
    return undefined;
  }
}

/** `ApiKey + AppId or Bearer [admin] or anonymous`, alternatives in written order. */
export function describeRow(auth: AuthRow | undefined): string {
  if (auth === undefined || auth.kind === 'public') return 'public';
  const parts: [number, string][] = (auth.anyOf ?? []).map((members, i) => [auth.at?.[i] ?? i, members.map((u) => `${u.scheme}${u.scopes && u.scopes.length > 0 ? ` [${u.scopes.join(', ')}]` : ''}`).join(' + ')]);
  if (auth.kind === 'optional') parts.push([auth.anonymousAt ?? parts.length, 'anonymous']);
  parts.sort((a, b) => a[0] - b[0]);
  return parts.length === 0 ? 'refused (no enforceable requirement)' : parts.map(([, text]) => text).join(' or ');
}

export interface SecurityChange {
  readonly operationId: string;
  /** `undefined`: the committed output does not have the operation. */
  readonly committed: string | undefined;
  /** `undefined`: the spec no longer has it. */
  readonly spec: string | undefined;
}

/** Operations whose security differs between the committed security.ts and the fresh one; undefined when either cannot be read. */
export function securityChanges(committed: string, fresh: string): SecurityChange[] | undefined {
  const before = operationsTableOf(committed);
  const after = operationsTableOf(fresh);
  if (before === undefined || after === undefined) return undefined;
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareCodeUnits);
  const changes: SecurityChange[] = [];
  for (const id of ids) {
    const a = Object.prototype.hasOwnProperty.call(before, id) ? before[id] : undefined;
    const b = Object.prototype.hasOwnProperty.call(after, id) ? after[id] : undefined;
    if (a !== undefined && b !== undefined && canonicalJson(a.auth) === canonicalJson(b.auth)) continue;
    changes.push({ operationId: id, committed: a === undefined ? undefined : describeRow(a.auth), spec: b === undefined ? undefined : describeRow(b.auth) });
  }
  return changes;
}
