// Plain `generate` and `check` command lines, read without yargs. Loading yargs (and
// the string-width and wrapping modules its help needs) costs a short run more than
// reading a small spec, and these two commands are what CI and editors run. The
// grammar taken here is narrow on purpose: the command (or none: generate), then each
// known flag at most once, as `--flag value` or a bare boolean `--flag`. Anything else
// (another command, `--flag=value`, a repeated, unknown, negated or camel-case flag, a
// value starting with `-` or blank, a choice yargs would refuse, `--help`, `--version`)
// returns `undefined` and goes through yargs, which accepts it or words the usage error.
// For what it takes, the flags are exactly those yargs hands the same command's handler
// (test/unit/simple-args.test.ts holds the two equal).
import type { CheckFlags } from './commands/check.js';
import type { TargetFlags } from './targets.js';

export type GenerateFlags = TargetFlags & { verify: boolean; force: boolean };

/** generate or check with its flags: what both command-line readers hand to main(). */
export type TargetCommand = { readonly command: 'generate'; readonly flags: GenerateFlags } | { readonly command: 'check'; readonly flags: CheckFlags };

// Flags every target command takes, by spelling: those with a value, and the booleans.
const VALUE_FLAGS = new Set(['config', 'spec', 'out', 'server', 'client', 'templates', 'env-prefix']);
const BOOLEAN_FLAGS = new Set(['quiet', 'debug', 'skip-invalid']);
const GENERATE_BOOLEANS = new Set(['verify', 'force']);
const CHECK_FORMATS = new Set(['text', 'json']);

/** The command `args` name when the simple grammar covers them, else `undefined` (ask yargs). */
export function simpleCommand(args: readonly string[]): TargetCommand | undefined {
  const first = args[0];
  const command = first === 'generate' || first === 'check' ? first : first === undefined || first.startsWith('--') ? 'generate' : undefined;
  if (command === undefined) return undefined;
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  for (let i = first === command ? 1 : 0; i < args.length; i++) {
    const token = args[i]!;
    if (!token.startsWith('--') || token.includes('=')) return undefined;
    const name = token.slice(2);
    if (values.has(name) || booleans.has(name)) return undefined;
    const next = args[i + 1];
    if (BOOLEAN_FLAGS.has(name) || (command === 'generate' && GENERATE_BOOLEANS.has(name))) {
      // yargs would read a following `true` / `false` as this flag's value, any other word as a stray argument.
      if (next !== undefined && !next.startsWith('--')) return undefined;
      booleans.add(name);
    } else if (VALUE_FLAGS.has(name) || (command === 'check' && name === 'format')) {
      if (next === undefined || next.startsWith('-') || next.trim() === '') return undefined;
      // `--server a b` takes both words; `--server a` is followed by a flag or nothing.
      if (name === 'server' && args[i + 2] !== undefined && !args[i + 2]!.startsWith('--')) return undefined;
      if (name === 'format' && !CHECK_FORMATS.has(next)) return undefined;
      values.set(name, next);
      i++;
    } else {
      return undefined;
    }
  }
  const server = values.get('server');
  const client = values.get('client');
  const flags: TargetFlags = {
    config: values.get('config'),
    spec: values.get('spec'),
    out: values.get('out'),
    server: server === undefined ? undefined : [server],
    // As yargs-cli.ts `clientFlag`: `true` and `false` are switches, anything else a list.
    client: client === undefined ? undefined : client === 'true' ? true : client === 'false' ? false : [client],
    templates: values.get('templates'),
    skipInvalid: booleans.has('skip-invalid') ? true : undefined,
    envPrefix: values.get('env-prefix'),
  };
  if (command === 'generate') return { command, flags: { ...flags, verify: booleans.has('verify'), force: booleans.has('force') } };
  return { command, flags: { ...flags, format: (values.get('format') ?? 'text') as 'text' | 'json' } };
}
