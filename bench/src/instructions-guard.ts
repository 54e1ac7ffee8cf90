// Run under callgrind by instructions.ts (not imported by the bench itself): the guard rows
// and their hand-written contenders, each as warm-up, then N1 and N2 calls in three pairs (instructions.ts SEGMENTS), every
// segment ended by `os.hostname()` (callgrind's dump marker). argv[2]: JSON { pet, s20,
// s800 (the generated folders), n: { warm, n1, n2 } }. Prints the segments' labels, in order.
import os from 'node:os';
import path from 'node:path';
import { importFile, type GeneratedGuard } from './generated.js';
import { scenarios } from './guard-contenders.js';
import { SEGMENTS } from './instructions.js';

const { pet, s20, s800, n } = JSON.parse(process.argv[2]!) as { pet: string; s20: string; s800: string; n: { warm: number; n1: number; n2: number } };
const load = async (dir: string): Promise<GeneratedGuard> => {
  const g = await importFile(path.join(dir, 'guard.js'));
  return { createGuard: g.createGuard, independent: g.independent, adapters: { express: undefined, fastify: undefined }, dir };
};
const { rows } = scenarios(await load(pet), await load(s20), await load(s800));

const labels: string[] = [];
const gc = (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc;
/**
 * Ends the current segment: a minor collection first (run with --expose-gc and 128 MB
 * semi-spaces, so no collection happens inside a segment and this one only copies the
 * few live young objects: about the same in every segment, so it cancels); then callgrind
 * dumps everything since the previous marker.
 */
const mark = (label: string) => {
  gc?.({ type: 'minor' });
  os.hostname();
  labels.push(label);
};
const run = async (fn: () => Promise<unknown>, calls: number) => {
  for (let i = 0; i < calls; i++) await fn();
};

mark('start-up');
for (const r of rows) {
  for (const who of ['guard', 'hand'] as const) {
    const fn = r[who];
    await run(fn, n.warm);
    mark(`${r.key}:${who}:warm`);
    for (const segment of SEGMENTS) {
      await run(fn, segment.startsWith('n1') ? n.n1 : n.n2);
      mark(`${r.key}:${who}:${segment}`);
    }
  }
}
console.log(JSON.stringify(labels));
