// `codegen check`: placeholder until the drift check lands.
import type { Io } from '../io.js';
import type { TargetFlags } from '../targets.js';
export async function runCheck(_flags: TargetFlags & { format?: 'text' | 'json' }, io: Io, _cwd: string): Promise<number> {
  io.err('codegen check: not implemented yet');
  return 2;
}
