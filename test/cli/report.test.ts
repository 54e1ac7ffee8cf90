// `codegen report` as a real process: Markdown, JSON and HTML for the example
// specs, --output, determinism, and spec strings that stay text in every format.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';
import { HOSTILE_HTML } from './hostile-html.js';

let work: string;
beforeAll(() => {
  work = tempDir('osc-report-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});


describe('codegen report', () => {
  it('Markdown (default) for the 3.0 example: summary line, one row per operation, schemes and where credentials travel', async () => {
    const r = await runCli(['report', '--spec', 'specs/petstore.yaml'], work);
    expect(r.code).toBe(0);
    const want = [
      '9 operations: 1 public, 1 optional, 7 required; 4 require an API key pair; 2 use OAuth2 scopes',
      '| GET | `/admin/stats` | `getAdminStats` | required | Basic |',
      '| GET | `/health` | `getHealth` | **public** | none (public) |',
      '| GET | `/pets` | `listPets` | required | ApiKey + AppId or Bearer |',
      '| POST | `/pets` | `createPet` | required | OAuth2 \\[pets:write\\] or ApiKey + AppId |',
      '| GET | `/pets/{petId}` | `showPetById` | **optional** | ApiKey + AppId or Bearer or anonymous |',
      '| PUT | `/pets/{petId}/photo` | `put /pets/{petId}/photo` | required | ApiKey + AppId or Bearer |',
      '| Scheme | Type | Credential | Client env variables |',
      '| `ApiKey` | apiKey | header X-API-Key | `PETSTORE_API_KEY` |',
      '| `QueryKey` | apiKey | query api\\_key | `PETSTORE_QUERY_KEY` |',
      '| `SessionCookie` | apiKey | cookie session | `PETSTORE_SESSION_COOKIE` |',
      '| `Bearer` | http bearer | header Authorization (Bearer) | `PETSTORE_BEARER` |',
      '| `Basic` | http basic | header Authorization (Basic) | `PETSTORE_BASIC_USERNAME`, `PETSTORE_BASIC_PASSWORD` |',
    ];
    for (const line of want) expect(r.stdout.split('\n')).toContain(line);
    expect(r.stdout.split('\n').filter((l) => /^\| (GET|PUT|POST|DELETE) /.test(l))).toHaveLength(9);
  });

  it('the 2.0 and 3.1 examples report too', async () => {
    for (const spec of ['specs/petstore-swagger2.yaml', 'specs/petstore-3.1.yaml']) {
      const r = await runCli(['report', '--spec', spec], work);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^\d+ operations?: \d+ public, \d+ optional, \d+ required; \d+ requires? an API key pair; \d+ uses? OAuth2 scopes$/m);
    }
  });

  it('JSON: the matrix as data', async () => {
    const r = await runCli(['report', '--spec', 'specs/petstore.yaml', '--format', 'json'], work);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.summary).toEqual({ operations: 9, public: 1, optional: 1, required: 7, apiKeyPair: 4, oauth2Scopes: 2 });
    expect(m.operations.find((o: { id: string }) => o.id === 'createPet')).toEqual({
      id: 'createPet',
      method: 'post',
      path: '/pets',
      access: 'required',
      alternatives: [[{ scheme: 'OAuth2', scopes: ['pets:write'] }], [{ scheme: 'ApiKey', scopes: [] }, { scheme: 'AppId', scopes: [] }]],
      source: 'operation',
      summary: 'Create a pet (OAuth2 with scope pets:write, or API key + App ID)',
      at: 'specs/petstore.yaml#/paths/~1pets/post/security',
    });
    expect(m.schemes.find((s: { id: string }) => s.id === 'OAuth2').credential).toBe('header Authorization (Bearer token; flows: clientCredentials, authorizationCode)');
    expect(Object.fromEntries(m.schemes.map((s: { id: string; env: string[] }) => [s.id, s.env]))).toEqual({
      ApiKey: ['PETSTORE_API_KEY'],
      AppId: ['PETSTORE_APP_ID'],
      Bearer: ['PETSTORE_BEARER'],
      Basic: ['PETSTORE_BASIC_USERNAME', 'PETSTORE_BASIC_PASSWORD'],
      OAuth2: ['PETSTORE_OAUTH2'],
      QueryKey: ['PETSTORE_QUERY_KEY'],
      SessionCookie: ['PETSTORE_SESSION_COOKIE'],
    });
  });

  it('lists the client\'s environment variables with --env-prefix as the client would read them; a bad prefix is refused', async () => {
    const r = await runCli(['report', '--spec', 'specs/petstore.yaml', '--format', 'json', '--env-prefix', 'MYAPI_'], work);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schemes.find((s: { id: string }) => s.id === 'Basic').env).toEqual(['MYAPI_BASIC_USERNAME', 'MYAPI_BASIC_PASSWORD']);
    const bad = await runCli(['report', '--spec', 'specs/petstore.yaml', '--env-prefix', 'myapi'], work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"envPrefix" must be uppercase letters');
  });

  it('HTML: one self-contained page (no network, no external assets), deterministic, written with --output', async () => {
    const a = await runCli(['report', '--spec', 'specs/petstore.yaml', '--format', 'html', '--output', 'out/a.html'], work);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('out/a.html: wrote html report (9 operations)');
    const b = await runCli(['report', '--spec', 'specs/petstore.yaml', '--format', 'html'], work);
    const html = readFileSync(path.join(work, 'out/a.html'), 'utf8');
    expect(b.stdout).toBe(html);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/<link\b|@import|url\(/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';/);
    expect(html).toContain('9 operations: 1 public, 1 optional, 7 required; 4 require an API key pair; 2 use OAuth2 scopes');
    expect(html).toContain('<th>Client env variables</th>');
    expect(html).toContain('<tr><td>Basic</td><td>http basic</td><td>header Authorization (Basic)</td><td>PETSTORE_BASIC_USERNAME, PETSTORE_BASIC_PASSWORD</td></tr>');
  });

  it('HTML: spec strings cannot leave the JSON data block or become markup', async () => {
    writeFileSync(path.join(work, 'hostile.json'), JSON.stringify(HOSTILE_HTML));
    const r = await runCli(['report', '--spec', 'hostile.json', '--format', 'html'], work);
    expect(r.code).toBe(0);
    const html = r.stdout;
    // exactly the page's own two scripts, and the data block parses back to the spec strings
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const data = /<script type="application\/json" id="matrix-data">([^<]*)<\/script>/.exec(html)![1]!;
    expect(data).not.toMatch(/[<>\u2028]/);
    const parsed = JSON.parse(data);
    expect(parsed[0].operations[0].id).toBe('<iframe src="javascript:alert(1)"></iframe>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg');
    expect(html).toContain('&#60;/title&#62;&#60;script&#62;');
  });

  it('Markdown: spec strings cannot become markup', async () => {
    writeFileSync(path.join(work, 'hostile.json'), JSON.stringify(HOSTILE_HTML));
    const r = await runCli(['report', '--spec', 'hostile.json'], work);
    expect(r.code).toBe(0);
    // Inside code spans `<` is literal text (CommonMark §6.1); everywhere else it must be an entity.
    expect(r.stdout).toContain('| `<iframe src="javascript:alert(1)"></iframe>` |');
    const outsideCode = r.stdout.replace(/(`+)[^`][\s\S]*?\1/g, '');
    expect(outsideCode).not.toMatch(/<(img|svg|script|iframe|\/title|b>)/);
    expect(outsideCode).toContain('&lt;/title&gt;&lt;script&gt;');
    for (const row of r.stdout.split('\n').filter((l) => l.startsWith('| GET'))) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  it('the hostile example spec reports in every format', async () => {
    for (const format of ['markdown', 'json', 'html']) expect((await runCli(['report', '--spec', 'specs/hostile/injection.json', '--format', format], work)).code).toBe(0);
  });

  it('unusable input exits 2', async () => {
    expect((await runCli(['report', '--spec', 'missing.yaml'], work)).code).toBe(2);
    expect((await runCli(['report', '--spec', 'specs/petstore.yaml', '--format', 'pdf'], work)).code).toBe(2);
  });
});
