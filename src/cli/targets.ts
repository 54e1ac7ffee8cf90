// Config file + flags -> targets, shared by generate, check and lint.
import { loadConfig, resolveTargets, type Overrides, type ResolvedTarget } from '../config/config.js';

/** The target flags every command accepts: the config overrides plus `--config`. */
export interface TargetFlags extends Overrides {
  config?: string | undefined;
}

export async function targetsFrom(flags: TargetFlags, cwd: string): Promise<ResolvedTarget[]> {
  const { config, file } = await loadConfig(cwd, flags.config);
  return resolveTargets(config, flags, cwd, file);
}
