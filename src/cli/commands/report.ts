// `codegen report`: placeholder until the report lands.
import type { Io } from '../io.js';
import type { TargetFlags } from '../targets.js';
export async function runReport(_flags: TargetFlags & { format?: string; output?: string | undefined }, io: Io, _cwd: string): Promise<number> {
  io.err('codegen report: not implemented yet');
  return 2;
}
