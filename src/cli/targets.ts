// Config file + flags -> targets, shared by generate, check and lint.
import { loadConfig, resolveTargets, type ResolvedTarget } from '../config/config.js';

export interface TargetFlags {
  config?: string | undefined;
  spec?: string | undefined;
  out?: string | undefined;
  server?: string[] | undefined;
  client?: string[] | boolean | undefined;
  templates?: string | undefined;
  skipInvalid?: boolean | undefined;
}

export async function targetsFrom(flags: TargetFlags, cwd: string): Promise<ResolvedTarget[]> {
  const { config, file } = await loadConfig(cwd, flags.config);
  return resolveTargets(config, flags, cwd, file);
}
