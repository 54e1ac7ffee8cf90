// `codegen diff`: placeholder until the diff lands.
import type { Io } from '../io.js';
export async function runDiff(_flags: { old: string; new: string; format: string; failOn: string }, io: Io, _cwd: string): Promise<number> {
  io.err('codegen diff: not implemented yet');
  return 2;
}
