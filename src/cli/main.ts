// The `codegen` command line: flags map to library calls and exit codes.
// Exit codes (BRIEF §5): 0 done / in sync; 1 lint errors, drift or a weakening
// found; 2 bad usage or unusable input. Errors print one line, no stack trace
// unless --debug. A plain generate or check command line (simple-args.ts) runs without
// loading yargs; every other one goes through the yargs command table (yargs-cli.ts).
import { ConfigError } from '../config/config.js';
import { TemplateError } from '../emit/index.js';
import { WriteError } from '../write/write.js';
import { EXIT, UsageError, consoleIo, type Io } from './io.js';
import { simpleCommand, type TargetCommand } from './simple-args.js';

export async function main(args: readonly string[], cwd: string = process.cwd()): Promise<number> {
  // Read before parsing (and declared in yargs only for --help and --strict): a usage
  // error yargs reports must already know where to print and whether to add a stack.
  const debug = args.includes('--debug');
  const io = consoleIo(args.includes('--quiet'));
  const runTarget = (command: TargetCommand): Promise<number> => runTargetCommand(command, io, cwd);
  try {
    const simple = simpleCommand(args);
    if (simple !== undefined) return await runTarget(simple);
    const { runYargs } = await import('./yargs-cli.js');
    return await runYargs(args, io, cwd, runTarget);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof WriteError || error instanceof TemplateError) {
      // Several problems (a config with three mistakes) are one line each.
      for (const line of error.message.split('\n')) io.err(`codegen: ${line}`);
      if (debug && error.stack) io.err(error.stack);
      return EXIT.unusable;
    }
    io.err(`codegen: internal error: ${(error as Error)?.message ?? String(error)}`);
    if (debug && error instanceof Error && error.stack) io.err(error.stack);
    else io.err('codegen: run with --debug for a stack trace');
    return EXIT.unusable;
  }
}

/** generate and check, whichever reader took the command line (commands load on first use). */
async function runTargetCommand(target: TargetCommand, io: Io, cwd: string): Promise<number> {
  if (target.command === 'generate') {
    const { runGenerate } = await import('./commands/generate.js');
    return runGenerate(target.flags, io, cwd);
  }
  const { runCheck } = await import('./commands/check.js');
  return runCheck(target.flags, io, cwd);
}
