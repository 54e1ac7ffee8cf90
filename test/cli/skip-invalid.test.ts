// `--skip-invalid` end to end: an operation whose only AND group names an undefined
// scheme stays in the output, so its route still matches it (not the parameterised
// sibling that lets anonymous callers in), and it is refused; the report says so.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { importGenerated } from '../helpers/generated.js';
import { tempDir } from '../helpers/spec-files.js';

const SPEC = `openapi: 3.0.3
info: { title: t, version: '1' }
components:
  securitySchemes:
    ApiKey: { type: apiKey, in: header, name: X-API-Key }
paths:
  /pets/mine:
    get:
      operationId: mine
      security:
        - ApiKey: []
          Ghost: []
      responses: { '200': { description: ok } }
  /pets/{id}:
    get:
      operationId: pet
      security: [{}, { ApiKey: [] }]
      responses: { '200': { description: ok } }
`;

describe('--skip-invalid', () => {
  it('keeps the operation routed to itself and refuses it with 403; the report shows it', async () => {
    // Inside the repository, so the generated TypeScript can be imported by vitest.
    const dir = path.join(REPO, 'test-output', 'skip-invalid');
    const work = tempDir('osc-skip-');
    writeFileSync(path.join(work, 'sk.yaml'), SPEC);
    const refused = await runCli(['--spec', 'sk.yaml', '--out', dir, '--server', 'node'], work);
    expect(refused.code).toBe(2);
    const r = await runCli(['--spec', 'sk.yaml', '--out', dir, '--server', 'node', '--skip-invalid'], work);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning alternative-dropped');
    const { createGuard } = await importGenerated<{ createGuard(v: object): { match(m: string, p: string): string | undefined; authorize(o: string, r: object): Promise<{ ok: boolean; status?: number }> } }>(dir, 'guard.ts');
    let calls = 0;
    const guard = createGuard({ ApiKey: () => (calls++, {}) });
    expect(guard.match('GET', '/pets/mine')).toBe('mine');
    expect(await guard.authorize('mine', { headers: { 'x-api-key': 'k' } })).toMatchObject({ ok: false, status: 403 });
    expect(calls).toBe(0);
    const report = await runCli(['report', '--spec', 'sk.yaml', '--skip-invalid'], work);
    expect(report.stdout).toContain('| GET | `/pets/mine` | `mine` | required | none: always refused (403) |');
  }, 60_000);
});
