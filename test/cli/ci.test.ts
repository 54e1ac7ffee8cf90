// `codegen ci` (issue 16), the logic of the GitHub Action, on scratch git repositories
// with two commits: a weakening, an accepted weakening, a stale accept entry, drift of
// the generated folder, and a new spec. The built CLI runs as a child process, as the
// Action runs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO, runCli } from '../helpers/cli.js';
import { validateSarif } from '../helpers/sarif-schema.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

const spec = (pets: string, orders: string): string => `openapi: 3.0.3
info: { title: Gate, version: '1' }
components:
  securitySchemes:
    ApiKey: { type: apiKey, in: header, name: X-API-Key }
security: [{ ApiKey: [] }]
paths:
  /pets:
    get:
      operationId: listPets
${pets}      responses: { '200': { description: ok } }
  /orders:
    get:
      operationId: listOrders
${orders}      responses: { '200': { description: ok } }
`;
const PUBLIC = '      security: []\n';

/** A repository whose first commit has the spec, its generated folder, the config and an empty accept file. */
async function repo(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'osc-ci-'));
  writeFileSync(path.join(dir, 'openapi.yaml'), spec('', ''));
  writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify({ spec: 'openapi.yaml', out: 'generated', accept: 'security-accept.json' }));
  writeAccept(dir, []);
  expect((await runCli([], dir)).code).toBe(0);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  return dir;
}

function writeAccept(dir: string, entries: object[]): void {
  writeFileSync(path.join(dir, 'security-accept.json'), JSON.stringify({ accepted: entries }, null, 2));
}

/** A commit (the pull request): both operations public (two weakenings), output regenerated, the accept file as given. */
async function weaken(dir: string, entries: object[], pets = PUBLIC, orders = PUBLIC): Promise<void> {
  writeFileSync(path.join(dir, 'openapi.yaml'), spec(pets, orders));
  writeAccept(dir, entries);
  expect((await runCli([], dir)).code).toBe(0);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'weaken');
}

/** A date `days` from today (UTC), as entries write it. */
const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const UNTIL = inDays(60);
const entry = (operation: string, extra: object = {}) => ({ operation, class: 'weakening', reason: `reviewed: ${operation} is public`, expires: UNTIL, ...extra });

describe('codegen ci', () => {
  it('fails on an unaccepted weakening and on a stale entry; passes once every weakening is reviewed', async () => {
    const dir = await repo();
    await weaken(dir, [entry('listPets'), entry('removedOp')]);
    const r = await runCli(['ci', '--base', 'HEAD~1', '--summary', 'summary.md', '--sarif', 'gate.sarif'], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('generated: in sync with openapi.yaml');
    expect(r.stdout).toContain('openapi.yaml: 2 security change(s) since HEAD~1, 1 accepted, 1 failing');
    expect(r.stderr).toContain('security-accept.json#/accepted/1: error accept-unmatched');
    const summary = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('Generated code: ✅ in sync with the specs.');
    expect(summary).toContain('| `openapi.yaml` | `generated` | ❌ 2 weakening, 0 endpoint-changed, 2 in all, 1 accepted |');
    expect(summary).toContain(`- \`listPets\` became-public: reviewed: listPets is public (until ${UNTIL})`);
    expect(summary).toContain('accept-unmatched');
    // SARIF, valid: both weakenings located in the spec; the accepted one a note, suppressed with its reason.
    const log = JSON.parse(readFileSync(path.join(dir, 'gate.sarif'), 'utf8')) as SarifLike;
    expect([validateSarif(log), validateSarif.errors ?? []]).toEqual([true, []]);
    expect(results(log).map((x) => x.ruleId).sort()).toEqual(['accept-unmatched', 'became-public', 'became-public']);
    const weakenings = results(log).filter((x) => x.ruleId === 'became-public');
    expect(weakenings.map((x) => [x.locations?.[0]?.physicalLocation.artifactLocation.uri, x.level, x.suppressions?.[0]?.justification ?? null]).sort()).toEqual([
      ['openapi.yaml', 'error', null], // sorted as strings: 'openapi.yaml,error,' first
      ['openapi.yaml', 'note', 'reviewed: listPets is public'],
    ]);

    // `codegen diff` applies the same accept file: text marks the accepted change, JSON counts it.
    const text = await runCli(['diff', 'git:HEAD~1:openapi.yaml', 'openapi.yaml'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('weakening (accepted): listPets (GET /pets)');
    expect(text.stdout).toContain(`accepted until ${UNTIL}: reviewed: listPets is public (security-accept.json#/accepted/0)`);
    expect(text.stderr).toContain('codegen diff: 1 change(s) of class weakening');
    const json = JSON.parse((await runCli(['diff', 'git:HEAD~1:openapi.yaml', 'openapi.yaml', '--format', 'json'], dir)).stdout) as { summary: { weakening: number; accepted: number }; acceptProblems: { code: string }[] };
    expect([json.summary.weakening, json.summary.accepted, json.acceptProblems.map((p) => p.code)]).toEqual([2, 1, ['accept-unmatched']]);

    // Review the second weakening, drop the stale entry: the gate passes (uncommitted accept file: ci reads the working tree).
    writeAccept(dir, [entry('listPets'), entry('listOrders', { rule: 'became-public' })]);
    const ok = await runCli(['ci', '--base', 'HEAD~1'], dir);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stderr).toContain('codegen ci: passed');
  });

  it('an entry merged with an earlier change approves nothing later (review finding: no pre-approval)', async () => {
    const dir = await repo();
    // PR 1: listPets gains an alternative without credentials... here: becomes public, accepted, merged.
    await weaken(dir, [entry('listPets')], PUBLIC, '');
    expect((await runCli(['ci', '--base', 'HEAD~1'], dir)).code).toBe(0);
    // PR 2 weakens listOrders without touching the accept file: the inherited entry covers nothing, and is no error.
    await weaken(dir, [entry('listPets')]);
    const r = await runCli(['ci', '--base', 'HEAD~1'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('openapi.yaml: 1 security change(s) since HEAD~1, 1 failing');
    expect(r.stderr).toContain('security-accept.json#/accepted/0: the acceptance of weakening of operation "listPets" is already in HEAD~1: it covers nothing in this diff');
    expect(r.stderr).not.toContain('accept-unmatched');
  });

  it('an expired entry fails again, naming the date; one over a year ahead is refused', async () => {
    const dir = await repo();
    await weaken(dir, [entry('listPets', { expires: '2020-01-01' }), entry('listOrders')]);
    const r = await runCli(['ci', '--base', 'HEAD~1'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('security-accept.json#/accepted/0/expires: error accept-expired');
    expect(r.stderr).toContain('expired on 2020-01-01');
    writeAccept(dir, [entry('listPets', { expires: inDays(400) }), entry('listOrders')]);
    const far = await runCli(['ci', '--base', 'HEAD~1'], dir);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('security-accept.json#/accepted/0/expires: error accept-invalid');
  });

  it('a spec moved in the pull request is compared with its old path (review finding: a move skipped the diff)', async () => {
    const dir = await repo();
    mkdirSync(path.join(dir, 'api'));
    git(dir, 'mv', 'openapi.yaml', 'api/openapi.yaml');
    writeFileSync(path.join(dir, 'api/openapi.yaml'), spec(PUBLIC, ''));
    writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify({ spec: 'api/openapi.yaml', out: 'generated', accept: 'security-accept.json' }));
    expect((await runCli([], dir)).code).toBe(0);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'move');
    const r = await runCli(['ci', '--base', 'HEAD~1'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('api/openapi.yaml: moved from openapi.yaml since HEAD~1; compared with it');
    expect(r.stdout).toContain('api/openapi.yaml: 1 security change(s) since HEAD~1, 1 failing');
  });

  it('with several specs, an entry for one is not stale in the other; --config is honoured for the accept file', async () => {
    const dir = await repo();
    writeFileSync(path.join(dir, 'second.yaml'), spec('', ''));
    writeFileSync(path.join(dir, 'gate.json'), JSON.stringify({ specs: [{ spec: 'openapi.yaml', out: 'generated' }, { spec: 'second.yaml', out: 'generated2' }], accept: 'reviews.json' }));
    writeFileSync(path.join(dir, 'reviews.json'), JSON.stringify({ accepted: [] }));
    expect((await runCli(['--config', 'gate.json'], dir)).code).toBe(0);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'second spec');
    writeFileSync(path.join(dir, 'openapi.yaml'), spec(PUBLIC, ''));
    writeFileSync(path.join(dir, 'reviews.json'), JSON.stringify({ accepted: [entry('listPets', { spec: 'openapi.yaml' })] }));
    expect((await runCli(['--config', 'gate.json'], dir)).code).toBe(0);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'accepted weakening');
    const r = await runCli(['ci', '--base', 'HEAD~1', '--config', 'gate.json'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('openapi.yaml: 1 security change(s) since HEAD~1, 1 accepted');
    expect(r.stdout).toContain('second.yaml: 0 security change(s) since HEAD~1');
  });

  it('drift of the committed output fails the gate and the summary says how to fix it', async () => {
    const dir = await repo();
    appendFileSync(path.join(dir, 'generated/security.ts'), '// edited by hand\n');
    const summaryFile = path.join(dir, 'summary.md');
    writeFileSync(summaryFile, '# earlier step\n');
    const r = await runCli(['ci', '--base', 'HEAD', '--summary', 'summary.md'], dir);
    expect(r.code).toBe(1);
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary.startsWith('# earlier step\n')).toBe(true); // appended, as GITHUB_STEP_SUMMARY expects
    expect(summary).toContain('❌ out of date');
    expect(summary).toContain('security.ts');
  });

  it('a new spec is checked, not diffed; a bad base, a malformed accept file or an unwritable summary exits 2', async () => {
    const dir = await repo();
    const r = await runCli(['ci', '--base', 'HEAD'], dir);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(path.join(dir, 'fresh.yaml'), spec('', ''));
    writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify({ spec: 'fresh.yaml', out: 'generated2' }));
    expect((await runCli([], dir)).code).toBe(0);
    const fresh = await runCli(['ci', '--base', 'HEAD'], dir);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('fresh.yaml: not in HEAD, and not moved from a file there (a new spec): no security diff');
    for (const base of ['no-such-ref', '--output=x', 'HEAD:openapi.yaml']) {
      const bad = await runCli(['ci', `--base=${base}`], dir);
      expect([bad.code, bad.stderr], base).toEqual([2, expect.stringContaining('codegen ci: --base')]);
    }
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
    writeFileSync(path.join(dir, 'bad.json'), '{"accepted": [{"operation": "x"}]}');
    const bad = await runCli(['ci', '--base', 'HEAD', '--accept', 'bad.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json#/accepted/0: error accept-invalid: the entry has no "class"');
    const unwritable = await runCli(['ci', '--base', 'HEAD', '--summary', 'no/such/folder/summary.md'], dir);
    expect([unwritable.code, unwritable.stderr]).toEqual([2, expect.stringContaining('codegen ci: cannot write')]);
  });

  it("action.yml's gate step, run by bash as the runner would, picks the base and writes summary, SARIF and outputs", async () => {
    const dir = await repo();
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    await weaken(dir, [entry('listPets'), entry('listOrders')]);
    const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as { runs: { steps: { id?: string; run?: string; shell?: string }[] } };
    const step = action.runs.steps.find((x) => x.id === 'gate')!;
    expect(step.shell).toBe('bash');
    const temp = mkdtempSync(path.join(os.tmpdir(), 'osc-runner-'));
    const run = (env: Record<string, string>) =>
      spawnSync('bash', ['-c', step.run!], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', RUNNER_TEMP: temp, GITHUB_OUTPUT: path.join(temp, 'output'), GITHUB_STEP_SUMMARY: path.join(temp, 'summary.md'), CODEGEN: `${process.execPath} ${path.join(REPO, 'bin/codegen.js')}`, BASE_INPUT: '', PR_BASE: '', PUSH_BEFORE: '', CONFIG: '', FAIL_ON: 'weakening,endpoint-changed', CATEGORY: '.', ...env },
      });
    const pr = run({ PR_BASE: base });
    expect(pr.status, pr.stdout + pr.stderr).toBe(0);
    expect(pr.stdout).toContain(`openapi.yaml: 2 security change(s) since ${base}, 2 accepted`);
    expect(readFileSync(path.join(temp, 'output'), 'utf8')).toBe(`sarif-file=${path.join(temp, 'codegen.sarif')}\n`);
    expect(readFileSync(path.join(temp, 'summary.md'), 'utf8')).toContain('## API security gate');
    expect(existsSync(path.join(temp, 'codegen.sarif'))).toBe(true);
    // A push: the commit before it; a new branch (all zeros): HEAD~1. Both compare with the base commit here.
    const push = run({ PUSH_BEFORE: base });
    expect(push.stdout).toContain(`since ${base}`);
    const fresh = run({ PUSH_BEFORE: '0000000000000000000000000000000000000000' });
    expect([fresh.status, fresh.stdout]).toEqual([0, expect.stringContaining('since HEAD~1')]);
    // The inputs reach the command: a bad fail-on is bad usage, a config that does not exist too.
    expect(run({ PR_BASE: base, FAIL_ON: 'bogus' }).status).toBe(2);
    expect(run({ PR_BASE: base, CONFIG: 'missing.json' }).stderr).toContain('config file missing.json not found');
  });

  it('action.yml is a thin wrapper that runs `codegen ci`', () => {
    const action = readFileSync(path.join(REPO, 'action.yml'), 'utf8');
    expect(action).toContain('using: composite');
    expect(action).toMatch(/args=\(ci --base "\$base"/);
    expect(action).toContain('github/codeql-action/upload-sarif@');
    expect(action).toContain('$GITHUB_STEP_SUMMARY');
  });
});

const results = (log: SarifLike) => log.runs.flatMap((run) => run.results);

interface SarifLike {
  runs: { results: { ruleId: string; level: string; suppressions?: { justification?: string }[]; locations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
}
