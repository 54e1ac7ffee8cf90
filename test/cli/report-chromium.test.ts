// The HTML report in real headless Chromium (Debian's `chromium`, installed by the
// test command, scripts/system-deps.sh): load the page from a file, check the rows its script renders, the
// filter and sort (set through the URL fragment, so --dump-dom can see them), that
// hostile spec strings stay text, and save a screenshot under test-output/.
// Without Chromium the test fails with the command that installs it: it is never skipped.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';
import { HOSTILE_HTML } from './hostile-html.js';


function findChromium(): string | undefined {
  for (const name of [process.env['CHROMIUM_BIN'], 'chromium', 'chromium-browser']) {
    if (!name) continue;
    try {
      return execFileSync('sh', ['-c', `command -v "$0"`, name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

const CHROMIUM = findChromium();
const TIMEOUT = 60_000;

function chromium(args: readonly string[]): Promise<string> {
  const profile = tempDir('osc-chromium-');
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--host-resolver-rules=MAP * ~NOTFOUND',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM!, [...flags, ...args], { timeout: TIMEOUT - 5000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

const decode = (s: string): string =>
  s.replace(/&(quot|amp|lt|gt|#39|nbsp);/g, (_, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'", nbsp: '\u00a0' })[e] ?? _);

interface Row {
  readonly id: string;
  readonly access: string;
  readonly className: string;
}

/** The rendered operation rows, from Chromium's serialized DOM. */
function rowsOf(dom: string): Row[] {
  const body = /<tbody id="rows">([\s\S]*?)<\/tbody>/.exec(dom)?.[1] ?? '';
  return [...body.matchAll(/<tr([^>]*)>/g)].map((m) => {
    const attr = (name: string): string => decode(new RegExp(`\\s${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? '');
    return { id: attr('data-id'), access: attr('data-access'), className: attr('class') };
  });
}

if (!CHROMIUM) {
  // Never a skip: without Chromium this test fails and says how to get it.
  describe('HTML report in Chromium', () => {
    it("needs Debian's chromium package (npm test installs it)", () => {
      expect.fail('chromium not found on PATH: `npm test` installs it (scripts/system-deps.sh), or run `apt-get install -y chromium`');
    });
  });
} else {
  describe('HTML report in Chromium', () => {
    let work: string;
    let page: string;
    let hostile: string;
    beforeAll(async () => {
      work = tempDir('osc-report-html-');
      cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
      const r = await runCli(['report', '--spec', 'specs/petstore.yaml', '--format', 'html', '--output', 'report.html'], work);
      expect(r.code).toBe(0);
      page = pathToFileURL(path.join(work, 'report.html')).href;
      writeFileSync(path.join(work, 'hostile.json'), JSON.stringify(HOSTILE_HTML));
      const h = await runCli(['report', '--spec', 'hostile.json', '--format', 'html', '--output', 'hostile.html'], work);
      expect(h.code).toBe(0);
      hostile = pathToFileURL(path.join(work, 'hostile.html')).href;
    }, TIMEOUT);

    it(
      'renders one row per operation; public and optional rows are highlighted; summary and count shown',
      async () => {
        const dom = await chromium(['--dump-dom', page]);
        const rows = rowsOf(dom);
        expect(rows.map((r) => r.id)).toEqual(['getAdminStats', 'getHealth', 'listPets', 'createPet', 'listMyPets', 'showPetById', 'deletePet', 'put /pets/{petId}/photo', 'searchPets']);
        expect(rows.find((r) => r.id === 'getHealth')).toMatchObject({ access: 'public', className: 'access-public' });
        expect(rows.find((r) => r.id === 'showPetById')).toMatchObject({ access: 'optional', className: 'access-optional' });
        expect(rows.filter((r) => r.className === 'access-required')).toHaveLength(7);
        expect(dom).toContain('9 operations: 1 public, 1 optional, 7 required; 4 require an API key pair; 2 use OAuth2 scopes');
        expect(dom).toContain('Showing 9 of 9 operations');
      },
      TIMEOUT,
    );

    it(
      'filters from the URL fragment: text, access and both',
      async () => {
        const ids = async (fragment: string): Promise<string[]> => rowsOf(await chromium(['--dump-dom', `${page}#${fragment}`])).map((r) => r.id);
        expect(await ids('filter=OAuth2')).toEqual(['createPet', 'deletePet']);
        expect(await ids(`filter=${encodeURIComponent('{petId}')}`)).toEqual(['showPetById', 'deletePet', 'put /pets/{petId}/photo']);
        expect(await ids('access=public')).toEqual(['getHealth']);
        expect(await ids('access=required&filter=basic')).toEqual(['getAdminStats', 'deletePet']);
        const dom = await chromium(['--dump-dom', `${page}#filter=nothing-matches-this`]);
        expect(rowsOf(dom)).toEqual([]);
        expect(dom).toContain('Showing 0 of 9 operations');
      },
      TIMEOUT,
    );

    it(
      'sorts from the URL fragment',
      async () => {
        const byId = rowsOf(await chromium(['--dump-dom', `${page}#sort=-id`])).map((r) => r.id);
        expect(byId).toEqual([...byId].sort().reverse());
        const byAccess = rowsOf(await chromium(['--dump-dom', `${page}#sort=access`])).map((r) => r.access);
        expect(byAccess.slice(0, 2)).toEqual(['public', 'optional']);
      },
      TIMEOUT,
    );

    it(
      'hostile spec strings render as text and run nothing',
      async () => {
        const dom = await chromium(['--dump-dom', hostile]);
        expect(dom).not.toMatch(/<html[^>]*data-pwned/); // the payloads' attribute was never set
        expect(dom).not.toMatch(/<(img|svg|iframe)\b/);
        const rows = rowsOf(dom);
        expect(rows.map((r) => r.id)).toEqual(['<iframe src="javascript:alert(1)"></iframe>', 'open']);
        expect(decode(dom)).toContain('/a/</script><script>document.documentElement.setAttribute("data-pwned","path")</script>');
      },
      TIMEOUT,
    );

    it(
      'saves a screenshot under test-output/',
      async () => {
        const dir = path.join(REPO, 'test-output');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, 'report.png');
        await chromium([`--screenshot=${file}`, '--window-size=1280,900', '--hide-scrollbars', page]);
        expect(existsSync(file)).toBe(true);
        expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(statSync(file).size).toBeGreaterThan(10_000);
      },
      TIMEOUT,
    );
  });
}
