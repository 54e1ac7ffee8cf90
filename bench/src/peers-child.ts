// One group of the peers family (peers.ts) in a process of its own: argv = the folder of
// the generated petstore guard (transpiled), the group's index. Sets the stacks up,
// times that group with `rounds`, prints its CPU figures as one JSON line.
import path from 'node:path';
import { SAMPLE_SECONDS } from './config.js';
import { importFile } from './generated.js';
import { PEER_GROUPS, peerGroups, type PeerFigures } from './peers.js';
import { rounds } from './timing.js';

const [dir, index] = process.argv.slice(2) as [string, string];
const [guard, express, fastify] = await Promise.all(['guard.js', 'express.js', 'fastify.js'].map((f) => importFile(path.join(dir, f))));
const { groups, close } = await peerGroups({ createGuard: guard.createGuard, independent: guard.independent, adapters: { express, fastify }, dir });
if (groups.length !== PEER_GROUPS) throw new Error(`peers.ts sets up ${groups.length} groups, PEER_GROUPS says ${PEER_GROUPS}`);
const group = groups[Number(index)];
if (group === undefined) throw new Error(`no peers group ${index}`);
const timed = await rounds(group, { seconds: SAMPLE_SECONDS });
const figures: PeerFigures = {};
for (const [k, v] of Object.entries(timed)) figures[k] = { median: v.cpu.median, spread: v.cpu.spread };
await close();
console.log(JSON.stringify(figures));
