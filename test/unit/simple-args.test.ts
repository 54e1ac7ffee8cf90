// The command lines main() runs without yargs (src/cli/simple-args.ts) against yargs'
// own reading of them (src/cli/yargs-cli.ts): for every command line the simple reader
// takes, yargs must hand the same command exactly the same flags; every other one must
// be left to yargs (usage errors, help, other commands, unusual spellings).
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { simpleCommand, type TargetCommand } from '../../src/cli/simple-args.js';
import { runYargs } from '../../src/cli/yargs-cli.js';

const silent: Io = { out: () => undefined, err: () => undefined, quiet: true };

async function yargsCommand(args: readonly string[]): Promise<TargetCommand | undefined> {
  let seen: TargetCommand | undefined;
  await runYargs(args, silent, process.cwd(), async (command) => {
    seen = command;
    return 0;
  });
  return seen;
}

const TAKEN: readonly (readonly string[])[] = [
  [],
  ['generate'],
  ['check'],
  ['generate', '--spec', 'specs/petstore.yaml', '--out', 'out', '--server', 'all', '--client', 'all', '--quiet'],
  ['check', '--spec', 'specs/petstore.yaml', '--out', 'out', '--server', 'all', '--client', 'all', '--quiet'],
  ['--spec', 'a.json', '--out', 'o'],
  ['generate', '--config', 'c.json', '--templates', 't', '--env-prefix', 'MY_', '--skip-invalid', '--verify', '--force', '--debug'],
  ['generate', '--server', 'express,koa', '--client', 'true'],
  ['generate', '--client', 'false', '--server', 'node'],
  ['generate', '--client', 'axios,fetch'],
  ['check', '--format', 'json', '--spec', '123', '--out', '0x10'],
  ['check', '--skip-invalid', '--env-prefix', 'X_', '--spec', 'a b.yaml'],
  ['generate', '--spec', 'generate', '--out', 'check'],
  ['generate', '--out', ' spaced '],
];

const LEFT_TO_YARGS: readonly (readonly string[])[] = [
  ['lint', '--spec', 'a.yaml'],
  ['report'],
  ['generate', '--help'],
  ['--version'],
  ['generate', '--spec=a.yaml'],
  ['generate', '--spec', 'a', '--spec', 'b'],
  ['generate', '--spec'],
  ['generate', '--spec', ''],
  ['generate', '--spec', '   '],
  ['generate', '--spec', '-a'],
  ['generate', '--server', 'express', 'koa'],
  ['generate', '--client'],
  ['generate', '--client', '--spec', 'a'],
  ['generate', '--quiet', 'true'],
  ['generate', '--quiet', 'stray'],
  ['generate', '--no-quiet'],
  ['generate', '--skipInvalid'],
  ['generate', '--format', 'json'],
  ['check', '--verify'],
  ['check', '--format', 'xml'],
  ['generate', 'stray'],
  ['generate', '-q'],
  ['generate', '--', '--spec', 'a'],
  ['generate', '--unknown', 'x'],
  ['stray'],
];

describe('simple command lines', () => {
  it.each(TAKEN.map((args) => [args.join(' ') || '(none)', args] as const))('%s: the same command and flags as yargs', async (_, args) => {
    const simple = simpleCommand(args);
    expect(simple).toBeDefined();
    expect(simple).toStrictEqual(await yargsCommand(args));
  });

  it.each(LEFT_TO_YARGS.map((args) => [args.join(' '), args] as const))('%s: left to yargs', (_, args) => {
    expect(simpleCommand(args)).toBeUndefined();
  });
});
