// One group of the peers family (peers.ts) in a process of its own: argv = the folder of
// the generated petstore guard (transpiled), the group's index, or `inside` (openapi-backend's
// step timed from its hooks, `insideRounds`). Sets the stacks up, times that group with
// `rounds`, prints its CPU figures (wall for `inside`) as one JSON line.
import path from 'node:path';
import { SAMPLE_SECONDS } from './config.js';
import { importFile } from './generated.js';
import { PEER_GROUPS, insideContenders, peerGroups, type PeerFigures } from './peers.js';
import { insideRounds, rounds } from './timing.js';

const [dir, index] = process.argv.slice(2) as [string, string];
const [guard, express, fastify] = await Promise.all(['guard.js', 'express.js', 'fastify.js'].map((f) => importFile(path.join(dir, f))));
const pet = { createGuard: guard.createGuard, independent: guard.independent, adapters: { express, fastify }, dir };
const figures: PeerFigures = {};
if (index === 'inside') {
  // Wall time of the part each contender times itself (see `insideContenders`).
  const timed = await insideRounds(await insideContenders(pet), { seconds: SAMPLE_SECONDS });
  for (const [k, v] of Object.entries(timed)) figures[k] = { median: v.median, spread: v.spread };
} else {
  const { groups, close } = await peerGroups(pet);
  if (groups.length !== PEER_GROUPS) throw new Error(`peers.ts sets up ${groups.length} groups, PEER_GROUPS says ${PEER_GROUPS}`);
  const group = groups[Number(index)];
  if (group === undefined) throw new Error(`no peers group ${index}`);
  const timed = await rounds(group, { seconds: SAMPLE_SECONDS });
  for (const [k, v] of Object.entries(timed)) figures[k] = { median: v.cpu.median, spread: v.cpu.spread };
  await close();
}
console.log(JSON.stringify(figures));
