// Usage errors worth reading: an unknown flag or command gets a did-you-mean (yargs'
// own recommendCommands() stays silent under a default command), and a flag that
// takes a value refuses to run without one (`--out` alone is not "output folder ''").
import { didYouMean } from '../shared/did-you-mean.js';
import { UsageError } from './io.js';

/** The commands each level of the command line accepts ('' = top level). */
export const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  '': ['generate', 'lint', 'check', 'report', 'diff', 'ci', 'keys'],
  keys: ['new', 'rotate', 'revoke', 'list', 'pattern', 'schema'],
};

/**
 * A `coerce` for a flag that needs a value: `--out`, `--out=` and `--out ''` are usage
 * errors naming the flag, as is giving it twice (yargs would hand over a list).
 */
export function needsValue(flag: string): (value: unknown) => string {
  return (value) => {
    if (Array.isArray(value)) throw new UsageError(`--${flag} was given ${value.length} times; give it once`);
    const text = typeof value === 'string' ? value : String(value);
    if (text.trim() === '') throw new UsageError(`--${flag} needs a value`);
    return text;
  };
}

/**
 * yargs' messages (locale pinned to English) made specific: `Unknown argument(s): a, b`
 * becomes one line per name, a flag matched against the current command's options and
 * a word against the commands of its level; a missing required flag is preceded by any
 * misspelt one (`--prefx` for `--prefix`); an invalid choice gets a did-you-mean.
 * Other messages pass unchanged.
 */
export function explainUsage(message: string, args: readonly string[], options: readonly string[], commandPath: readonly string[]): string {
  const end = args.indexOf('--');
  const given = end === -1 ? args : args.slice(0, end);
  const flags = new Set(given.filter((a) => a.startsWith('-') && a !== '-').map((a) => a.replace(/^-+/, '').replace(/=.*$/s, '')));
  const words = new Set(given.filter((a) => !a.startsWith('-')));
  const forCommand = commandPath.length > 0 ? ` (for codegen ${commandPath.join(' ')})` : '';
  const unknownOption = (name: string): string => `unknown option ${dash(name)}${didYouMean(name, options, dash)}${forCommand}`;

  const choice = /^Invalid values:\s*Argument: (\S+), Given: (.*), Choices: (.*)$/s.exec(message);
  if (choice) {
    const allowed = [...choice[3]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    const value = choice[2]!.replace(/^"(.*)"$/s, '$1');
    return `${dash(choice[1]!)} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}${didYouMean(value, allowed)}`;
  }
  if (/^Missing required arguments?: /.test(message)) {
    const known = new Set(options);
    const stray = [...flags].filter((f) => !known.has(f) && !known.has(f.replace(/^no-/, '')) && !known.has(kebab(f)));
    return [...stray.map(unknownOption), message].join('\n');
  }
  const unknown = /^Unknown arguments?: (.*)$/s.exec(message)?.[1];
  if (unknown === undefined) return message;
  const level = COMMANDS[commandPath.join(' ')];
  const lines: string[] = [];
  for (const name of unknown.split(', ')) {
    if (flags.has(name)) {
      lines.push(unknownOption(name));
    } else if (words.has(name) && level) {
      const what = commandPath.length > 0 ? `${commandPath.join(' ')} command` : 'command';
      lines.push(`unknown ${what} "${name}"${didYouMean(name, level) || ` (commands: ${level.join(', ')})`}`);
    } else if (words.has(name)) {
      lines.push(`unexpected argument "${name}" for codegen ${commandPath.join(' ')}`);
    }
    // Else a spelling yargs derived (--skipInvalidd for --skip-invalidd): already reported.
  }
  return lines.length > 0 ? lines.join('\n') : message;
}

const dash = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
