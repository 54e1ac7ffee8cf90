// The public corpus (../shared/corpus, 61 unmodified real specs) as acceptance set
// (BRIEF §6, issue 6). Each MANIFEST.json entry goes through the real CLI:
// - `refuse`: as a child process (bin/codegen.js over dist/): exit 2, the output
//   folder (pre-filled with a sentinel) untouched, every expected error printed
//   with the file, its code and the JSON pointer of its first occurrence.
// - `generate`: the CLI's main() in-process (same code as the binary, without 54
//   process start-ups), every server adapter and client integration, into
//   test-output/corpus/<id>/ (inside the repo so framework types resolve from
//   node_modules); exit 0, the listed warnings printed with code and pointer, and
//   then all outputs type-checked strict in ONE TypeScript program (NodeNext).
// - The corpus findings the issue names are asserted deliberately, on the
//   generated guards themselves, in the last block.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CLIENT_INTEGRATIONS, SERVER_ADAPTERS } from '../../src/emit/index.js';
import { buildModel } from '../../src/pipeline.js';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { typecheck } from '../helpers/typecheck.js';

const CORPUS = path.resolve(process.env['CORPUS_DIR'] ?? path.join(REPO, '../shared/corpus'));
const OUT = path.join(REPO, 'test-output/corpus');
const OUT_REFUSED = path.join(REPO, 'test-output/corpus-refused');

interface Expected {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly pointer: string;
  readonly subject: string;
  readonly occurrences?: number;
}
interface Entry {
  readonly file: string;
  readonly sha256: string;
  readonly features: readonly string[];
  readonly security_schemes: Readonly<Record<string, string>>;
  readonly and_combinations: readonly string[];
  readonly expected_outcome: 'generate' | 'refuse';
  readonly expected_diagnostics: readonly Expected[];
}

const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'MANIFEST.json'), 'utf8')) as { file_count: number; files: readonly Entry[] };
const idOf = (e: Entry): string => path.basename(e.file).replace(/\.(ya?ml|json)$/, '');
const specOf = (e: Entry): string => path.join(CORPUS, e.file);
const toGenerate = manifest.files.filter((e) => e.expected_outcome === 'generate');
const toRefuse = manifest.files.filter((e) => e.expected_outcome === 'refuse');
const ARGS = ['--server', 'all', '--client', 'all'];
/** Per adapter and client integration, the file the output must contain. */
const EXPECTED_FILES = ['security.ts', 'guard.ts', 'client.ts', ...SERVER_ADAPTERS.map((a) => `${a}.ts`), ...CLIENT_INTEGRATIONS.filter((c) => c !== 'fetch').map((c) => `${c}.ts`)];

/** How a diagnostic line reads (diagnostics/render.ts): `<file>#<pointer>: <severity> <code>: ...`. */
const lineFor = (e: Entry, d: { severity: string; code: string; pointer: string }): string => `${path.basename(e.file)}#${d.pointer}: ${d.severity} ${d.code}:`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}
const generated = new Map<string, Run>();

/** The CLI's main() in-process, with stdout/stderr captured. */
async function runInProcess(args: readonly string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  const t0 = performance.now();
  try {
    const code = await main(args, REPO);
    return { code, stdout: out.join(''), stderr: err.join(''), ms: performance.now() - t0 };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

const started = performance.now();
beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  for (const e of toGenerate) {
    generated.set(e.file, await runInProcess(['generate', '--spec', specOf(e), '--out', path.join(OUT, idOf(e)), ...ARGS]));
  }
}, 120_000);
afterAll(() => {
  const slowest = [...generated.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3);
  console.info(`corpus: ${manifest.files.length} specs in ${Math.round(performance.now() - started)} ms; slowest generate: ${slowest.map(([f, r]) => `${path.basename(f)} ${Math.round(r.ms)} ms`).join(', ')}`);
});

/**
 * The specs the manifest says must be refused, written out here so that an entry whose
 * expected_outcome changed (or is neither value) cannot move a spec out of both tables below.
 */
const REFUSED = [
  'fungenerators.com__qrcode__1.5',
  'import.io__data__1.0',
  'rapidapi.com__dynamicdocs__1.0',
  'shutterstock.com__main__1.2.0',
  'sinao.app__main__1.1.0',
  'surevoip.co.uk__main__9dcb0dc8-unbundled',
  'wordnik.com__main__4.0',
];
/** The one spec whose path items are `$ref`s to missing files (see the manifest-codes test). */
const UNBUNDLED = 'surevoip.co.uk__main__9dcb0dc8-unbundled';
const UNBUNDLED_PATH_REFS = 26;

describe('corpus manifest', () => {
  it('every entry is either generated (54) or refused (7), and the refused ones are exactly those named here', () => {
    expect(manifest.files.filter((e) => e.expected_outcome !== 'generate' && e.expected_outcome !== 'refuse').map((e) => e.file)).toEqual([]);
    expect(toGenerate).toHaveLength(54);
    expect(toRefuse.map(idOf).sort()).toEqual(REFUSED);
    expect(new Set(manifest.files.map(idOf)).size).toBe(61); // one output folder per spec
  });

  it('lists 61 files, each byte-for-byte as recorded (sha256)', () => {
    expect(manifest.files).toHaveLength(manifest.file_count);
    expect(manifest.files).toHaveLength(61);
    const changed = manifest.files.filter((e) => createHash('sha256').update(readFileSync(specOf(e))).digest('hex') !== e.sha256).map((e) => e.file);
    expect(changed).toEqual([]);
  });
});

describe('corpus: the manifest codes, exactly as predicted', () => {
  const CODES = new Set(['undefined-scheme', 'invalid-scheme', 'invalid-header-name', 'unresolved-ref', 'scopes-on-non-oauth-scheme', 'undeclared-scope', 'oauth2-scopes-missing']);
  it.each(manifest.files.map((e) => [idOf(e), e] as const))('%s: code, subject, first pointer and count of each predicted diagnostic; none unpredicted', async (_, e) => {
    const { diagnostics } = await buildModel(specOf(e), REPO);
    // The unbundled surevoip file's path items are $refs to files that are missing too; the
    // manifest lists only the security schemes, the path items are refused all the same.
    // Only that spec has them, and exactly this many (all errors).
    const pathRefs = diagnostics.filter((d) => d.code === 'unresolved-ref' && d.pointer.startsWith('/paths/'));
    expect(pathRefs.map((d) => d.severity)).toEqual(Array(idOf(e) === UNBUNDLED ? UNBUNDLED_PATH_REFS : 0).fill('error'));
    const got = new Map<string, { pointer: string; occurrences: number }>();
    for (const d of diagnostics) {
      // Codes outside the manifest's vocabulary (the other warnings) are not predicted by it.
      if (!CODES.has(d.code) || pathRefs.includes(d)) continue;
      const key = `${d.severity} ${d.code} ${d.subject ?? ''}`;
      const seen = got.get(key);
      got.set(key, seen ? { ...seen, occurrences: seen.occurrences + 1 } : { pointer: d.pointer, occurrences: 1 });
    }
    const want = new Map(e.expected_diagnostics.map((d) => [`${d.severity} ${d.code} ${d.subject}`, { pointer: d.pointer, occurrences: d.occurrences ?? 1 }]));
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  });
});

describe('corpus: expected_outcome refuse (CLI process)', () => {
  it.each(toRefuse.map((e) => [idOf(e), e] as const))('%s: exit 2, output untouched, expected errors printed', async (id, e) => {
    const out = path.join(OUT_REFUSED, id);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'SENTINEL.txt'), 'previous output\n');
    const run = await runCli(['generate', '--spec', specOf(e), '--out', out, ...ARGS], REPO);
    expect(run.code, run.stderr).toBe(2);
    expect(snapshotTree(out)).toEqual({ 'SENTINEL.txt': 'previous output\n' });
    const errors = e.expected_diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    // The first expected error above all, then every other one listed (first occurrence of each subject).
    for (const d of errors) expect(run.stderr).toContain(lineFor(e, d));
    expect(run.stderr).toContain('left untouched');
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 30_000);
});

describe('corpus: expected_outcome generate (CLI in-process)', () => {
  it.each(toGenerate.map((e) => [idOf(e), e] as const))('%s: exit 0, every adapter and client written, warnings reported', (id, e) => {
    const run = generated.get(e.file)!;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/: error /);
    const files = readdirSync(path.join(OUT, id));
    expect(files).toEqual(expect.arrayContaining(EXPECTED_FILES));
    for (const d of e.expected_diagnostics) expect(run.stderr).toContain(lineFor(e, d));
  });

  it('one strict TypeScript program (module NodeNext) over every generated output', () => {
    const files = toGenerate.flatMap((e) =>
      readdirSync(path.join(OUT, idOf(e)))
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => path.join(OUT, idOf(e), f)),
    );
    expect(files.length).toBeGreaterThanOrEqual(toGenerate.length * EXPECTED_FILES.length);
    const problems = typecheck(files, 'NodeNext');
    // Report a problem once per runtime file, not once per spec that copies it.
    const distinct = [...new Set(problems.map((p) => p.replace(/^\S*test-output\/corpus\/[^/]+\//, '<out>/')))];
    expect(distinct).toEqual([]);
  }, 180_000);

  it('the in-process run writes the same bytes as the CLI process (kubernetes)', async () => {
    const e = generatedEntry('kubernetes');
    const out = path.join(REPO, 'test-output/corpus-process', idOf(e));
    rmSync(out, { recursive: true, force: true });
    const run = await runCli(['generate', '--spec', specOf(e), '--out', out, ...ARGS], REPO);
    expect(run.code, run.stderr).toBe(0);
    expect(snapshotTree(out)).toEqual(snapshotTree(path.join(OUT, idOf(e))));
  }, 30_000);
});

// ---------------------------------------------------------------------------
// Findings the corpus forces (issue 6), each checked on the generated guard.

type Verifier = (credential: unknown, context: { scheme: string }) => unknown;
interface GuardModule {
  readonly independent: symbol;
  createGuard(verifiers: Record<string, Verifier | symbol>): {
    authorize(operationId: string, request: { headers: Record<string, string>; query?: Record<string, string> }): Promise<{ ok: boolean; status?: number; alternative?: number }>;
  };
}
interface SecurityModule {
  schemes: Record<string, { kind: string; scheme?: string; in?: string; name?: string; flows?: { tokenUrl?: string; authorizationUrl?: string; scopes: string[] }[] }>;
  operations: Record<string, { auth: { kind: string; anyOf?: { scheme: string; scopes: string[] }[][] } }>;
}
/** The one generated spec whose file name contains `file` (more or fewer is an error, not a guess). */
function generatedEntry(file: string): Entry {
  const found = toGenerate.filter((e) => e.file.includes(file));
  if (found.length !== 1) throw new Error(`${found.length} generated corpus specs match "${file}"`);
  return found[0]!;
}
const load = async (file: string, name: string): Promise<unknown> => import(path.join(OUT, idOf(generatedEntry(file)), name));
const securityOf = async (file: string) => (await load(file, 'security.ts')) as SecurityModule;
/**
 * The generated guard module, its `createGuard` given every AND group of the spec as
 * `independent`: these findings are about extraction and verification, not about
 * whether a group's principals belong together. A group's key is its scheme names in
 * code-unit order joined with " + ".
 */
const guardOf = async (file: string): Promise<GuardModule> => {
  const module = (await load(file, 'guard.ts')) as GuardModule;
  const sec = await securityOf(file);
  const groups = Object.values(sec.operations)
    .flatMap((op) => op.auth.anyOf ?? [])
    .filter((alternative) => alternative.length > 1)
    .map((alternative) => alternative.map((use) => use.scheme).sort().join(' + '));
  const unrelated = Object.fromEntries(groups.map((key) => [key, module.independent]));
  return { independent: module.independent, createGuard: (verifiers) => module.createGuard({ ...verifiers, ...unrelated }) };
};

/** Verifiers that accept one credential value and record every call. */
function recording(schemes: readonly string[], accept: (scheme: string, credential: unknown) => boolean) {
  const calls: [string, unknown][] = [];
  const verifiers = Object.fromEntries(
    schemes.map((s) => [
      s,
      (credential: unknown) => {
        calls.push([s, credential]);
        return accept(s, credential) ? { scopes: [] as string[] } : null;
      },
    ]),
  );
  return { calls, verifiers };
}

/** An operation whose only requirement is exactly these schemes (AND). */
function opRequiring(sec: SecurityModule, ...schemes: string[]): string {
  const want = [...schemes].sort().join('+');
  const found = Object.entries(sec.operations).find(([, op]) => op.auth.kind === 'required' && op.auth.anyOf?.length === 1 && op.auth.anyOf[0]!.map((u) => u.scheme).sort().join('+') === want);
  expect(found, `an operation requiring exactly ${want}`).toBeDefined();
  return found![0];
}

describe('corpus findings, handled deliberately', () => {
  it('apiKey in the Authorization header coexists with Basic (gitea): the scheme word decides, the apiKey verifier gets the whole value', async () => {
    const sec = await securityOf('gitea');
    expect(sec.schemes['AuthorizationHeaderToken']).toEqual({ kind: 'apiKey', in: 'header', name: 'Authorization' });
    expect(sec.schemes['BasicAuth']).toEqual({ kind: 'http', scheme: 'basic' });
    const found = Object.entries(sec.operations).find(([, o]) => o.auth.anyOf?.[0]?.[0]?.scheme === 'BasicAuth' && o.auth.anyOf.some((a) => a[0]?.scheme === 'AuthorizationHeaderToken'));
    expect(found, 'an operation with BasicAuth first and AuthorizationHeaderToken as an alternative').toBeDefined();
    const op = found![0];
    const { createGuard } = await guardOf('gitea');

    const basic = recording(Object.keys(sec.schemes), (s, c) => s === 'BasicAuth' && (c as { username: string }).username === 'alice');
    const ok = await createGuard(basic.verifiers).authorize(op, { headers: { authorization: `Basic ${Buffer.from('alice:pw:x').toString('base64')}` } });
    expect(ok.ok).toBe(true);
    expect(basic.calls[0]).toEqual(['BasicAuth', { username: 'alice', password: 'pw:x' }]);

    const token = recording(Object.keys(sec.schemes), (s, c) => s === 'AuthorizationHeaderToken' && c === 'token abc');
    const ok2 = await createGuard(token.verifiers).authorize(op, { headers: { Authorization: 'token abc' } });
    expect(ok2.ok).toBe(true);
    expect(token.calls.map(([s]) => s)).not.toContain('BasicAuth');
    expect(token.calls).toContainEqual(['AuthorizationHeaderToken', 'token abc']);
  });

  it('apiKey `authorization` (lower-case, kubernetes) matches the header case-insensitively', async () => {
    const sec = await securityOf('kubernetes');
    const op = opRequiring(sec, 'BearerToken');
    const v = recording(['BearerToken'], (_, c) => c === 'Bearer k8s');
    const r = await (await guardOf('kubernetes')).createGuard(v.verifiers).authorize(op, { headers: { Authorization: 'Bearer k8s' } });
    expect(r.ok).toBe(true);
  });

  it('the same key name in header and query stays two schemes: ANDed (signl4) both are needed, and warned; ORed (pendo) either will do', async () => {
    const sec = await securityOf('signl4');
    expect(sec.schemes['API_Key_Header']).toMatchObject({ in: 'header', name: 'x-s4-api-key' });
    expect(sec.schemes['API_Key_Query']).toMatchObject({ in: 'query', name: 'x-s4-api-key' });
    expect(generated.get(generatedEntry('signl4').file)!.stderr).toContain('#/security/0: warning api-key-and-same-name:');
    const op = opRequiring(sec, 'API_Key_Header', 'API_Key_Query', 'OAuth2');
    const v = recording(Object.keys(sec.schemes), () => true);
    const guard = (await guardOf('signl4')).createGuard(v.verifiers);
    expect((await guard.authorize(op, { headers: { 'X-S4-Api-Key': 'k', authorization: 'Bearer t' } })).ok).toBe(false);
    expect(v.calls).toEqual([]);
    const ok = await guard.authorize(op, { headers: { 'x-s4-api-key': 'k', authorization: 'Bearer t' }, query: { 'x-s4-api-key': 'k' } });
    // All three verified, then 403: OAuth2 requires offline_access, public_api_read and
    // public_api_write, and the permissive verifier grants no scopes.
    expect(v.calls.map(([s]) => s).sort()).toEqual(['API_Key_Header', 'API_Key_Query', 'OAuth2']);
    expect(ok).toMatchObject({ ok: false, status: 403 });
    const scoped = recording(Object.keys(sec.schemes), () => true);
    const all = ['offline_access', 'public_api_read', 'public_api_write'];
    const granting = Object.fromEntries(Object.entries(scoped.verifiers).map(([k, f]) => [k, (c: unknown) => (f(c), { scopes: all })]));
    const ok2 = await (await guardOf('signl4')).createGuard(granting).authorize(op, { headers: { 'x-s4-api-key': 'k', authorization: 'Bearer t' }, query: { 'x-s4-api-key': 'k' } });
    expect(ok2.ok).toBe(true);

    const pendo = await securityOf('pendo');
    const pop = Object.keys(pendo.operations).find((id) => pendo.operations[id]!.auth.anyOf?.length === 2);
    expect(pop, 'a pendo operation with two alternatives').toBeDefined();
    const guard2 = (await guardOf('pendo')).createGuard(recording(Object.keys(pendo.schemes), () => true).verifiers);
    expect((await guard2.authorize(pop!, { headers: { 'Auth-Token': 'k' } })).ok).toBe(true);
    expect((await guard2.authorize(pop!, { headers: {}, query: { 'auth-token': 'k' } })).ok).toBe(true);
    expect(await guard2.authorize(pop!, { headers: {}, query: { 'Auth-Token': 'k' } })).toMatchObject({ ok: false, status: 401 }); // query names are exact
  });

  it('scheme names that are not identifiers (pendo, marketdata, nbg) are verifier keys as written', async () => {
    const pendo = await securityOf('pendo');
    expect(Object.keys(pendo.schemes).sort()).toEqual(['userApiKey (query parameter)', 'userApiKey (request header)']);
    const op = Object.keys(pendo.operations).find((id) => pendo.operations[id]!.auth.kind !== 'public')!;
    const v = recording(Object.keys(pendo.schemes), (s) => s === 'userApiKey (request header)');
    expect((await (await guardOf('pendo')).createGuard(v.verifiers).authorize(op, { headers: { 'auth-token': 't' } })).ok).toBe(true);
    expect(Object.keys((await securityOf('marketdata')).schemes)).toContain('Api Authentication');
    expect(Object.keys((await securityOf('nbg')).schemes)).toEqual(expect.arrayContaining(['Authorization-Code-Token', 'Client-Id']));
  });

  it("Google's two-OAuth2 AND is honoured (both verifiers see the one token) and warned about", async () => {
    const e = generatedEntry('googleapis.com__compute');
    expect(generated.get(e.file)!.stderr).toMatch(/warning oauth2-and-oauth2: /);
    const sec = await securityOf('googleapis.com__compute');
    const op = Object.keys(sec.operations)[0]!;
    expect(sec.operations[op]!.auth.anyOf!.every((a) => a.length === 2)).toBe(true);
    const v = recording(Object.keys(sec.schemes), () => true);
    const guard = (await guardOf('googleapis.com__compute')).createGuard(
      Object.fromEntries(Object.entries(v.verifiers).map(([k, f]) => [k, (c: unknown) => (f(c), { scopes: ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/compute', 'https://www.googleapis.com/auth/compute.readonly'] })])),
    );
    const r = await guard.authorize(op, { headers: { authorization: 'Bearer ya29.token' } });
    expect(r.ok).toBe(true);
    expect(v.calls.map(([s]) => s).sort()).toEqual(['Oauth2', 'Oauth2c']);
    expect(v.calls.every(([, c]) => c === 'ya29.token')).toBe(true);
    const accessapproval = toGenerate.filter((x) => x.file.includes('googleapis.com__accessapproval'));
    expect(accessapproval).toHaveLength(1);
    expect(generated.get(accessapproval[0]!.file)!.stderr).toMatch(/warning oauth2-and-oauth2: /);
  });

  it('oauth2 with relative URLs (visma, prss, zapier, vimeo) keeps them as written; a flow without scopes (dev.to) is an empty list', async () => {
    const relative = (s: SecurityModule) => Object.values(s.schemes).flatMap((x) => x.flows ?? []).flatMap((f) => [f.tokenUrl, f.authorizationUrl]).filter((u): u is string => u !== undefined && !/^https?:\/\//.test(u));
    for (const f of ['visma', 'prss', 'zapier', 'vimeo']) expect(relative(await securityOf(f)), f).not.toEqual([]);
    const devto = await securityOf('dev.to');
    expect(devto.schemes['oauth2']!.flows!.some((f) => f.scopes.length === 0)).toBe(true);
  });

  it('non-registered HTTP schemes (OAuth, mutual, payone-hmac-sha256) reach the verifier as raw credentials; negotiate (airflow) is declared but unused', async () => {
    // `alone`: in some alternative the scheme is the only one, and a request carrying its
    // raw credentials is authorized, the verifier getting them as written.
    // `unused` (airflow): declared, but the root `security: []` makes every operation
    // public, so the scheme table entry is the whole contract.
    const cases: [file: string, scheme: string, word: string, use: 'alone' | 'unused'][] = [
      ['twitter', 'UserToken', 'OAuth', 'alone'],
      ['airflow', 'Kerberos', 'Negotiate', 'unused'],
      ['conjur', 'conjurKubernetesMutualTls', 'mutual', 'alone'],
      ['pay1.de', 'createAuth', 'payone-hmac-sha256', 'alone'],
    ];
    for (const [file, scheme, word, use] of cases) {
      const sec = await securityOf(file);
      expect(sec.schemes[scheme], file).toMatchObject({ kind: 'http', scheme: word.toLowerCase() });
      const e = generatedEntry(file);
      expect(generated.get(e.file)!.stderr + '').not.toMatch(/error/);
      if (use === 'unused') {
        expect(Object.keys(sec.operations).length, file).toBeGreaterThan(0);
        expect(Object.values(sec.operations).filter((o) => o.auth.kind !== 'public'), `${file}: every operation public`).toEqual([]);
      } else {
        const op = Object.entries(sec.operations).find(([, o]) => o.auth.anyOf?.some((a) => a.length === 1 && a[0]!.scheme === scheme));
        expect(op, `${file}: an alternative that is ${scheme} alone`).toBeDefined();
        const v = recording(Object.keys(sec.schemes), (s, c) => s === scheme && c === 'raw,cred="x"');
        const r = await (await guardOf(file)).createGuard(v.verifiers).authorize(op![0], { headers: { authorization: `${word.toUpperCase()} raw,cred="x"` } });
        expect(r.ok, `${file} ${scheme}`).toBe(true);
        expect(v.calls).toContainEqual([scheme, 'raw,cred="x"']);
      }
    }
  });

  it('an AND group written out of order (visma: OAuth2, then ClientIdAuth) keeps that order in the tables and is keyed sorted; without its entry the guard does not start', async () => {
    const sec = await securityOf('visma');
    const anded = Object.values(sec.operations).flatMap((o) => o.auth.anyOf ?? []).filter((a) => a.length > 1);
    expect(anded.length).toBeGreaterThan(0);
    for (const a of anded) expect(a.map((u) => u.scheme)).toEqual(['OAuth2', 'ClientIdAuth']);
    const module = (await load('visma', 'guard.ts')) as GuardModule;
    const v = recording(Object.keys(sec.schemes), () => true).verifiers;
    expect(() => module.createGuard(v)).toThrow(/no binding check for AND group "ClientIdAuth \+ OAuth2"/);
    expect(() => module.createGuard({ ...v, 'ClientIdAuth + OAuth2': module.independent })).not.toThrow();
  });

  it("twitter's BearerToken AND UserToken: both live in the one Authorization header, so no request satisfies it: 401, no verifier called", async () => {
    const sec = await securityOf('twitter');
    const anded = Object.entries(sec.operations).filter(([, o]) => o.auth.anyOf?.some((a) => a.length === 2));
    expect(anded.length).toBeGreaterThan(0);
    for (const [, o] of anded) expect(o.auth.anyOf!.map((a) => a.map((u) => u.scheme).sort())).toEqual([['BearerToken', 'UserToken']]);
    const v = recording(Object.keys(sec.schemes), () => true);
    const guard = (await guardOf('twitter')).createGuard(v.verifiers);
    for (const authorization of ['Bearer t', 'OAuth raw,cred="x"']) {
      expect(await guard.authorize(anded[0]![0], { headers: { authorization } }), authorization).toMatchObject({ ok: false, status: 401 });
    }
    expect(v.calls).toEqual([]);
  });
});

