// Config file + flags -> targets, shared by generate, check and lint.
import { loadConfig, resolveTargets, type Overrides, type ResolvedTarget } from '../config/config.js';

/** The target flags every command accepts: the config overrides plus `--config`. */
export interface TargetFlags extends Overrides {
  config?: string | undefined;
}

/**
 * @param needsOut Whether the command writes or compares an output folder (generate,
 *   check): then `--spec` and `--out` are every input, else `--spec` alone. With every
 *   input on the command line and no `--config`, a code config (.mjs/.js/.ts) is not
 *   run: a config file is code, and a command line that needs none should not execute one.
 */
export async function targetsFrom(flags: TargetFlags, cwd: string, needsOut: boolean): Promise<ResolvedTarget[]> {
  const complete = flags.config === undefined && flags.spec !== undefined && (!needsOut || flags.out !== undefined);
  const { config, file } = await loadConfig(cwd, flags.config, { jsonOnly: complete });
  return resolveTargets(config, flags, cwd, file);
}
