// `lint --format sarif` and `diff --format sarif` as real processes: every log is
// validated against the official SARIF 2.1.0 schema (the one @microsoft/jest-sarif
// ships; draft-04, hence ajv-draft-04), and results point at the lines a reader can
// count in the inline fixtures (line numbers in the comments beside them): a
// weakening, removed operations (nearest remaining parent), and `git:` sides read
// from commits, with paths from the repository's top level.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CHANGE_CLASS_DOCS, CHANGE_RULE_DOCS, DIAGNOSTIC_DOCS } from '../../src/diagnostics/catalog.js';
import type { Change } from '../../src/diff/classes.js';
import { buildSarifLog, messageText, renderSarif } from '../../src/report/sarif.js';
import { REPO, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';
import { validateSarif } from '../helpers/sarif-schema.js';

vi.setConfig({ testTimeout: 60_000 });

const validate = validateSarif;

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number } } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; justification: string }[];
  properties: Record<string, unknown>;
}
interface Rule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: Record<string, unknown>;
}
interface Log {
  version: string;
  runs: { tool: { driver: { name: string; version: string; rules: Rule[] } }; automationDetails: { id: string }; results: Result[] }[];
}

/** Parse, validate against the schema (failing with ajv's errors), and check each ruleIndex. */
function sarif(text: string): Log {
  const log = JSON.parse(text) as Log;
  const valid = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  const run = log.runs[0]!;
  for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
  return log;
}

/** ruleId, uri, line, column of every result, in order. */
const where = (log: Log): [string, string, number, number][] =>
  log.runs[0]!.results.map((r) => {
    const p = r.locations[0]!.physicalLocation;
    return [r.ruleId, p.artifactLocation.uri, p.region.startLine, p.region.startColumn];
  });

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

/** A temp git repository (no commit) with `files` written into it. */
function repo(files: Record<string, string>): string {
  const dir = tempDir('osc-sarif-');
  git(dir, 'init', '-q');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the schema check itself', () => {
  it('rejects broken logs, so the tests below can fail', () => {
    const good = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.yaml' }, region: { startLine: 1 } } }] }] }] };
    expect(validate(good)).toBe(true);
    const broken = [
      { ...good, version: '2.0.0' },
      { runs: good.runs },
      { ...good, runs: [{ ...good.runs[0], results: [{ ...good.runs[0]!.results[0], level: 'fatal' }] }] },
      { ...good, runs: [{ ...good.runs[0], results: [{ ...good.runs[0]!.results[0], message: {} }] }] },
      { ...good, runs: [{ ...good.runs[0], results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.yaml' }, region: { startLine: 0 } } }] }] }] },
      { ...good, runs: [{ ...good.runs[0], results: [{ message: { text: 'm' }, suppressions: [{ kind: 'external', status: 'ok' }] }] }] },
    ];
    for (const log of broken) expect(validate(log)).toBe(false);
  });
});

// prettier-ignore
const LINT_YAML = [
  'openapi: 3.0.3',                                             // 1
  "info: { title: t, version: '1' }",                           // 2
  'paths:',                                                     // 3
  '  /pets:',                                                   // 4
  '    get:',                                                   // 5
  '      operationId: listPets',                                // 6
  '      security:',                                            // 7
  '        - Missing: []',                                      // 8: undefined-scheme at `Missing` (column 11)
  "      responses: { '200': { description: ok } }",            // 9
  'components:',                                                // 10
  '  securitySchemes:',                                         // 11
  '    QueryKey: { type: apiKey, in: query, name: api_key }',   // 12: api-key-in-query, unused-scheme at `QueryKey` (column 5)
  '',
].join('\n');

describe('codegen lint --format sarif', () => {
  it('a valid log: one result per diagnostic at its line and column, paths from the repository top, rules from the catalog; exit 1 on errors', async () => {
    const dir = repo({ 'api/openapi.yaml': LINT_YAML });
    // run in the spec's folder: the uri is still from the repository's top level
    const r = await runCli(['lint', '--spec', 'openapi.yaml', '--format', 'sarif'], path.join(dir, 'api'));
    expect(r.code).toBe(1);
    const log = sarif(r.stdout);
    expect(where(log)).toEqual([
      ['undefined-scheme', 'api/openapi.yaml', 8, 11],
      ['api-key-in-query', 'api/openapi.yaml', 12, 5],
      ['unused-scheme', 'api/openapi.yaml', 12, 5],
    ]);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('openapi-security-codegen');
    expect(run.tool.driver.version).toBe((JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
    expect(run.automationDetails.id).toBe('openapi-security-codegen/lint/');
    expect(run.results.map((x) => x.level)).toEqual(['error', 'warning', 'warning']);
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(run.results[0]!.message.text).toContain('"Missing"');
    // only the rules used, in the catalog's order, with its texts
    const used = ['undefined-scheme', 'api-key-in-query', 'unused-scheme'];
    expect(run.tool.driver.rules.map((x) => x.id)).toEqual(Object.keys(DIAGNOSTIC_DOCS).filter((code) => used.includes(code)));
    const undefinedScheme = run.tool.driver.rules.find((x) => x.id === 'undefined-scheme')!;
    expect(undefinedScheme.shortDescription.text).toBe(DIAGNOSTIC_DOCS['undefined-scheme'].title);
    expect(undefinedScheme.fullDescription.text).toBe(DIAGNOSTIC_DOCS['undefined-scheme'].cause);
    expect(undefinedScheme.help.text).toContain(DIAGNOSTIC_DOCS['undefined-scheme'].fix);
    expect(undefinedScheme.help.markdown).toContain(DIAGNOSTIC_DOCS['undefined-scheme'].fix);
    expect(undefinedScheme.defaultConfiguration.level).toBe('error');
    // two diagnostics at one pointer are still two alerts
    const prints = run.results.map((x) => x.partialFingerprints['openapiSecurityCodegen/v1']);
    expect(new Set(prints).size).toBe(3);
    expect(r.stderr).toBe('');
  });

  it('same input, same bytes; fingerprints survive lines moving (the alert is the same finding)', async () => {
    const dir = repo({ 'openapi.yaml': LINT_YAML });
    const a = await runCli(['lint', '--spec', 'openapi.yaml', '--format', 'sarif'], dir);
    const b = await runCli(['lint', '--spec', 'openapi.yaml', '--format', 'sarif'], dir);
    expect(b.stdout).toBe(a.stdout);
    writeFileSync(path.join(dir, 'openapi.yaml'), '# a comment\n# another\n' + LINT_YAML);
    const moved = sarif((await runCli(['lint', '--spec', 'openapi.yaml', '--format', 'sarif'], dir)).stdout);
    expect(where(moved)).toEqual([
      ['undefined-scheme', 'openapi.yaml', 10, 11],
      ['api-key-in-query', 'openapi.yaml', 14, 5],
      ['unused-scheme', 'openapi.yaml', 14, 5],
    ]);
    const prints = (log: Log) => log.runs[0]!.results.map((x) => x.partialFingerprints);
    expect(prints(moved)).toEqual(prints(sarif(a.stdout)));
  });

  it('a JSON spec with CRLF line endings; warnings only: exit 0', async () => {
    // prettier-ignore
    const text = [
      '{',                                                                          // 1
      '  "openapi": "3.0.3",',                                                      // 2
      '  "info": { "title": "t", "version": "1" },',                                // 3
      '  "security": [ { "Key": [] } ],',                                           // 4
      '  "paths": {},',                                                             // 5
      '  "components": { "securitySchemes": {',                                     // 6
      '    "Key": { "type": "apiKey", "in": "query", "name": "k" } } }',            // 7: `"Key"` at column 5
      '}',                                                                          // 8
    ].join('\r\n');
    const dir = repo({ 'spec dir/open api.json': text });
    const r = await runCli(['lint', '--spec', 'spec dir/open api.json', '--format', 'sarif'], dir);
    expect(r.code).toBe(0);
    const log = sarif(r.stdout);
    // the uri is percent-encoded (a URI reference); the properties keep the file as shown
    expect(where(log)).toContainEqual(['api-key-in-query', 'spec%20dir/open%20api.json', 7, 5]);
    expect(log.runs[0]!.results[0]!.properties['file']).toBe('spec dir/open api.json');
  });

  it('a file that cannot be parsed: the syntax error at the parser\'s line; an unreadable spec at line 1; exit 2', async () => {
    const dir = repo({ 'bad.yaml': 'openapi: 3.0.3\npaths:\n  /a: [\n' });
    const bad = await runCli(['lint', '--spec', 'bad.yaml', '--format', 'sarif'], dir);
    expect(bad.code).toBe(2);
    const log = sarif(bad.stdout);
    expect(log.runs[0]!.results.map((x) => x.ruleId)).toEqual(['syntax']);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine).toBeGreaterThan(1);
    const missing = await runCli(['lint', '--spec', 'nope.yaml', '--format', 'sarif'], dir);
    expect(missing.code).toBe(2);
    expect(where(sarif(missing.stdout))).toEqual([['io', 'nope.yaml', 1, 1]]);
  });

  it('lint and diff in any other format never load the YAML parser (it is imported only for SARIF)', async () => {
    const dir = repo({ 'openapi.yaml': LINT_YAML, 'old.yaml': OLD, 'new.yaml': NEW });
    // A module hook that refuses to load `yaml`: SARIF then fails, every other format must not notice.
    writeFileSync(path.join(dir, 'hooks.mjs'), "export async function resolve(s, c, next) { const r = await next(s, c); if (/[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(r.url)) throw new Error('yaml was loaded'); return r; }\n");
    writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    const env = { NODE_OPTIONS: `--import ${path.join(dir, 'register.mjs')}` };
    for (const format of ['text', 'json']) expect((await runCli(['lint', '--spec', 'openapi.yaml', '--format', format], dir, env)).code).toBe(1);
    for (const format of ['text', 'markdown', 'json']) expect((await runCli(['diff', 'old.yaml', 'new.yaml', '--format', format], dir, env)).code).toBe(1);
    expect((await runCli(['diff', 'old.yaml', 'new.yaml', '--format', 'sarif'], dir, env)).code).toBe(2);
    const s = await runCli(['lint', '--spec', 'openapi.yaml', '--format', 'sarif'], dir, env);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('yaml was loaded');
  });
});

// prettier-ignore
const OLD = [
  'openapi: 3.0.3',                                     // 1
  "info: { title: t, version: '1' }",                   // 2
  'paths:',                                             // 3
  '  /pets:',                                           // 4
  '    get:',                                           // 5
  '      operationId: listPets',                        // 6
  '      security:',                                    // 7
  '        - Key: []',                                  // 8
  "      responses: { '200': { description: ok } }",    // 9
  '    delete:',                                        // 10
  '      operationId: deletePets',                      // 11
  '      security:',                                    // 12
  '        - Key: []',                                  // 13
  "      responses: { '200': { description: ok } }",    // 14
  '  /toys:',                                           // 15
  '    get:',                                           // 16
  '      operationId: listToys',                        // 17
  '      security:',                                    // 18
  '        - Key: []',                                  // 19
  "      responses: { '200': { description: ok } }",    // 20
  'components:',                                        // 21
  '  securitySchemes:',                                 // 22
  '    Key: { type: apiKey, in: header, name: X-Key }', // 23
  '',
].join('\n');

// prettier-ignore
const NEW = [
  'openapi: 3.0.3',                                     // 1
  "info: { title: t, version: '1' }",                   // 2
  'paths:',                                             // 3: listToys was removed with /toys: located here
  '  /pets:',                                           // 4: deletePets was removed: located at its path
  '    get:',                                           // 5
  '      operationId: listPets',                        // 6
  '      security: []',                                 // 7: became public, at `security` (column 7)
  "      responses: { '200': { description: ok } }",    // 8
  'components:',                                        // 9
  '  securitySchemes:',                                 // 10
  '    Key: { type: apiKey, in: header, name: X-Key }', // 11
  '',
].join('\n');

describe('codegen diff --format sarif', () => {
  it('a weakening at the new spec\'s line; removed operations at their nearest remaining parent; exit 1 as for text', async () => {
    const dir = repo({ 'old.yaml': OLD, 'new.yaml': NEW });
    const r = await runCli(['diff', 'old.yaml', 'new.yaml', '--format', 'sarif'], dir);
    expect(r.code).toBe(1);
    const log = sarif(r.stdout);
    expect(where(log)).toEqual([
      ['became-public', 'new.yaml', 7, 7],
      ['operation-removed', 'new.yaml', 4, 3],
      ['operation-removed', 'new.yaml', 3, 1],
    ]);
    const run = log.runs[0]!;
    expect(run.automationDetails.id).toBe('openapi-security-codegen/diff/');
    expect(run.results.map((x) => [x.level, x.message.text])).toEqual([
      ['error', 'listPets (GET /pets): became public (was Key)'],
      ['note', 'deletePets (DELETE /pets): operation removed'],
      ['note', 'listToys (GET /toys): operation removed'],
    ]);
    expect(run.results[0]!.properties).toMatchObject({ class: 'weakening', operation: 'listPets', new: { file: 'new.yaml', at: '/paths/~1pets/get/security' } });
    const rules = run.tool.driver.rules;
    expect(rules.map((x) => x.id)).toEqual(['became-public', 'operation-removed']);
    expect(rules[0]).toMatchObject({
      shortDescription: { text: CHANGE_RULE_DOCS['became-public'].title },
      fullDescription: { text: CHANGE_RULE_DOCS['became-public'].cause },
      defaultConfiguration: { level: 'error' },
      properties: { class: 'weakening', classTitle: CHANGE_CLASS_DOCS.weakening.title },
    });
    expect(rules[1]).toMatchObject({ defaultConfiguration: { level: 'note' }, properties: { class: 'neutral' } });
    // as for the other formats
    expect(r.stderr).toContain('codegen diff: 1 change(s) of class weakening');
    expect((await runCli(['diff', 'old.yaml', 'new.yaml', '--format', 'sarif'], dir)).stdout).toBe(r.stdout);
    const none = await runCli(['diff', 'new.yaml', 'new.yaml', '--format', 'sarif'], dir);
    expect(none.code).toBe(0);
    expect(sarif(none.stdout).runs[0]!.results).toEqual([]);
  });

  it('git sides: positions from the committed text (not the working copy), paths from the repository top, from any folder', async () => {
    const dir = repo({ 'api/openapi.yaml': OLD });
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'old');
    writeFileSync(path.join(dir, 'api/openapi.yaml'), NEW);
    git(dir, 'commit', '-q', '-am', 'new');
    // the working copy moves everything down 3 lines: a git:HEAD side must not read it
    writeFileSync(path.join(dir, 'api/openapi.yaml'), '# 1\n# 2\n# 3\n' + NEW);
    const expected = [
      ['became-public', 'api/openapi.yaml', 7, 7],
      ['operation-removed', 'api/openapi.yaml', 4, 3],
      ['operation-removed', 'api/openapi.yaml', 3, 1],
    ];
    const fromTop = await runCli(['diff', 'git:HEAD~1:api/openapi.yaml', 'git:HEAD:api/openapi.yaml', '--format', 'sarif'], dir);
    expect(fromTop.code).toBe(1);
    expect(where(sarif(fromTop.stdout))).toEqual(expected);
    const fromApi = await runCli(['diff', 'git:HEAD~1:openapi.yaml', 'git:HEAD:openapi.yaml', '--format', 'sarif'], path.join(dir, 'api'));
    expect(where(sarif(fromApi.stdout))).toEqual(expected);
    // git old side, working-copy new side: the working copy's lines (3 further down)
    const working = await runCli(['diff', 'git:HEAD~1:openapi.yaml', 'openapi.yaml', '--format', 'sarif'], path.join(dir, 'api'));
    expect(where(sarif(working.stdout))).toEqual(expected.map(([rule, uri, line, column]) => [rule, uri, (line as number) + 3, column]));
  });
});

describe('buildSarifLog', () => {
  const change = (over: Partial<Change>): Change => ({
    class: 'weakening',
    rule: 'became-public',
    operation: { id: 'getHealth', method: 'get', path: '/health' },
    message: 'became public',
    old: { file: 'a.yaml', at: '/paths/~1health/get/security' },
    new: { file: 'b.yaml', at: '/paths/~1health/get/security' },
    ...over,
  });
  const place = { path: 'b.yaml', line: 3, column: 7 };

  it('an accepted change is a result with an external, accepted suppression carrying the reason', () => {
    const accepted = change({ accepted: { reason: 'health check, reviewed in #142', expires: '2027-03-31', at: { file: 'security-accept.json', at: '/accepted/0' } } });
    const log = sarif(renderSarif(buildSarifLog({ category: 'diff', changes: [{ change: accepted, place, acceptedAt: { path: 'security-accept.json', line: 3, column: 5 } }, { change: change({}), place }] })));
    const [first, second] = log.runs[0]!.results;
    expect(first!.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'health check, reviewed in #142',
        location: { physicalLocation: { artifactLocation: { uri: 'security-accept.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 5 } } },
      },
    ]);
    expect(second!.suppressions).toBeUndefined();
    // the same change twice: two alerts, two fingerprints
    expect(first!.partialFingerprints).not.toEqual(second!.partialFingerprints);
  });

  it('message text cannot carry SARIF embedded links or forged lines', () => {
    expect(messageText('x[click](https://evil.example)')).toBe('x\\[click\\](https://evil.example)');
    expect(messageText('a\\[b')).toBe('a\\\\\\[b'); // a literal backslash before a bracket is escaped too
    expect(messageText('a\\b')).toBe('a\\b'); // elsewhere it stays
    expect(messageText('line\nforged')).toBe('line\\u000aforged');
    const log = sarif(renderSarif(buildSarifLog({ category: 'diff', changes: [{ change: change({ operation: { id: '[x](1)', method: 'get', path: '/h' } }), place }] })));
    expect(log.runs[0]!.results[0]!.message.text).toBe('\\[x\\](1) (GET /h): became public');
  });

  it('API-wide changes and an empty log are valid too', () => {
    const servers = change({ class: 'endpoint-changed', rule: 'server-origin-changed', operation: { id: '(servers)', method: '', path: '' }, message: 'server origin changed' });
    const log = sarif(renderSarif(buildSarifLog({ category: 'diff', changes: [{ change: servers, place: { path: 'b.yaml', line: 1, column: 1 } }] })));
    expect(log.runs[0]!.results[0]).toMatchObject({ level: 'error', message: { text: '(servers) (API-wide): server origin changed' } });
    expect(sarif(renderSarif(buildSarifLog({ category: 'lint' }))).runs[0]!.results).toEqual([]);
  });
});
