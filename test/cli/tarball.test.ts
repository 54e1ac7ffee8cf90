// The package as the registry would serve it: `npm pack` this checkout, install the
// tarball into a scratch project under os.tmpdir() (with the repo's pinned typescript
// and @types/node, plus the type packages the README's example adapters import), and
// follow the README's quick start there: its codegen.config.json over a copy of
// specs/petstore.yaml, `npx openapi-security-codegen` and `npx codegen` (both bins of
// the tarball), `check`, `--version`, and the generated output type-checked by the
// scratch project's own tsc (strict, NodeNext). Also: every relative link of every
// Markdown file shipped (README first) names a file of the tarball, and every `files`
// entry of package.json ships something.
//
// Needs npm and the registry (or a warm npm cache: installs use --prefer-offline). It
// never skips: a missing tool, a missing dist/ or a failed install fails with a message.
// `npm pack` runs with --ignore-scripts, so it packs the dist/ of the last `npm run
// build` (run that first) instead of rebuilding dist/ under other running tests.
// `npx` runs with --no: a missing bin fails instead of installing the unrelated npm
// package named `codegen`.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const TIMEOUT = 180_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The environment of `npx vitest` / `npm test` carries the outer npm run's package and
// lifecycle variables (and local_prefix=/work/main); the scratch project's npm must
// not see them. Other npm_config_* (registry, cache, proxy) are kept.
const OUTER_NPM = /^(npm_package_|npm_lifecycle_|npm_command$|npm_execpath$|npm_node_execpath$|npm_config_local_prefix$|npm_config_yes$|init_cwd$)/i;
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!OUTER_NPM.test(key)) env[key] = value;
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' };
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: childEnv(), maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        reject(new Error(`cannot run \`${command}\` (${error.code}): ${error.message}; this test needs it on PATH`));
        return;
      }
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function describeRun(command: string, args: readonly string[], cwd: string, r: Run): string {
  const tail = (s: string): string => (s.length > 4000 ? `…${s.slice(-4000)}` : s);
  return `\`${[command, ...args].join(' ')}\` in ${cwd} exited ${r.code}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`;
}

/** Runs a command that must exit 0; otherwise fails with its command line and output. */
async function mustRun(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const r = await run(command, args, cwd);
  if (r.code !== 0) throw new Error(describeRun(command, args, cwd, r));
  return r;
}

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out;
}

/** The README's `## Quick start` section, up to the next `## ` heading. */
function quickStart(readme: string): string {
  const start = readme.search(/^## Quick start\s*$/m);
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Relative link targets of a Markdown text: inline links and images, reference
 * definitions, and href/src attributes; code (fenced and inline) is not prose.
 */
function relativeLinks(markdown: string): string[] {
  const prose = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[^`]*?\1/g, '');
  const targets: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)) targets.push(m[1]!);
  for (const m of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1]!);
  return targets.filter((t) => !t.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('//'));
}

let root = '';
let project = '';
let tarball = '';
let entries: string[] = []; // tarball paths without the leading `package/`
let installed = '';
let pkg: {
  name: string;
  version: string;
  files: string[];
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};
let readme = '';
let config: { spec: string; out: string; server?: string[]; client?: string[] };

// What the generated adapters import from outside the output folder (type-only except
// hono/route), installed at the versions the repo pins so the scratch tsc can resolve it.
const ADAPTER_PACKAGES: Record<string, readonly string[]> = {
  'server:express': ['@types/express'],
  'server:fastify': ['fastify'],
  'server:koa': ['@types/koa'],
  'server:hono': ['hono'],
  'server:fetch': [],
  'server:node': [],
  'client:fetch': [],
  'client:openapi-fetch': ['openapi-fetch'],
  'client:axios': ['axios'],
};

function pinned(name: string): string {
  const version = pkg.devDependencies[name];
  if (!version) throw new Error(`package.json devDependencies pins no version of ${name}`);
  return `${name}@${version}`;
}

beforeAll(async () => {
  pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  for (const built of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts']) {
    if (!existsSync(path.join(REPO, built))) throw new Error(`${built} is missing: run \`npm run build\` before this test`);
  }

  const json = /```json\n([\s\S]*?)\n```/.exec(quickStart(readme));
  if (!json) throw new Error('README.md quick start has no ```json codegen.config.json example');
  config = JSON.parse(json[1]!);
  if (typeof config.spec !== 'string' || typeof config.out !== 'string') {
    throw new Error(`README.md quick start config needs "spec" and "out" strings: ${json[1]}`);
  }
  const extra = new Set<string>();
  for (const [kind, names] of [['server', config.server ?? []], ['client', config.client ?? []]] as const) {
    for (const name of names) {
      const needs = ADAPTER_PACKAGES[`${kind}:${name}`];
      if (!needs) throw new Error(`the README config names ${kind} "${name}", which this test does not know how to install for`);
      for (const p of needs) extra.add(pinned(p));
    }
  }

  root = mkdtempSync(path.join(os.tmpdir(), 'osc-tarball-'));
  const packDir = path.join(root, 'pack');
  project = path.join(root, 'project');
  mkdirSync(packDir);
  mkdirSync(project);

  const packed = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], REPO);
  const info = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = path.join(packDir, info[0]!.filename);
  if (!existsSync(tarball)) throw new Error(`npm pack reported ${info[0]!.filename}, but ${tarball} does not exist`);

  const listing = await mustRun('tar', ['-tzf', tarball], root);
  entries = listing.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));

  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'osc-tarball-scratch', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  await mustRun(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, pinned('typescript'), pinned('@types/node'), ...[...extra].sort()],
    project,
  );
  installed = path.join(project, 'node_modules', pkg.name);
  if (!existsSync(path.join(installed, 'package.json'))) throw new Error(`npm install left no ${installed}/package.json`);

  mkdirSync(path.dirname(path.join(project, config.spec)), { recursive: true });
  cpSync(path.join(REPO, 'specs/petstore.yaml'), path.join(project, config.spec));
  writeFileSync(path.join(project, 'codegen.config.json'), json[1]!);
}, TIMEOUT);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the npm tarball', () => {
  it('ships both bins, the docs and the registry metadata', () => {
    expect(pkg.bin).toEqual({ codegen: 'bin/codegen.js', 'openapi-security-codegen': 'bin/codegen.js' });
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'bin/codegen.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'docs/ci.md', 'docs/diagnostics.md']) {
      expect(entries, `${file} is not in the tarball`).toContain(file);
    }
    const shipped = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(shipped.repository).toEqual({ type: 'git', url: 'git+https://github.com/openapi-security-codegen/openapi-security-codegen.git' });
    expect(shipped.homepage).toMatch(/^https:\/\/github\.com\/openapi-security-codegen\/openapi-security-codegen/);
    expect(shipped.bugs?.url).toMatch(/^https:\/\/github\.com\/openapi-security-codegen\/openapi-security-codegen\/issues$/);
    expect(shipped.keywords).toEqual(expect.arrayContaining(['openapi', 'swagger', 'security', 'api-key', 'guard', 'codegen', 'express', 'fastify', 'koa', 'hono', 'oauth2']));
    for (const bin of ['codegen', 'openapi-security-codegen']) {
      expect(existsSync(path.join(project, 'node_modules/.bin', bin)), `node_modules/.bin/${bin} was not linked`).toBe(true);
    }
  });

  it('ships something for every entry of package.json "files"', () => {
    const missing = pkg.files.filter((entry) => {
      const e = entry.replace(/^\.?\//, '').replace(/\/$/, '');
      return !entries.some((f) => f === e || f.startsWith(`${e}/`));
    });
    expect(missing, `package.json "files" lists ${missing.join(', ')}, but nothing of it is in the tarball (does it exist at the repo root?)`).toEqual([]);
  });

  it('resolves every relative link of the README (and of the other shipped Markdown) to a file in the tarball', () => {
    const readmeLinks = relativeLinks(readme);
    expect(readmeLinks, 'no relative link found in README.md: the link parser is broken').toContain('docs/ci.md');
    expect(readmeLinks).toContain('docs/diagnostics.md');
    const dead: string[] = [];
    for (const md of entries.filter((f) => f.toLowerCase().endsWith('.md'))) {
      for (const link of relativeLinks(readFileSync(path.join(installed, md), 'utf8'))) {
        const target = decodeURIComponent(link.replace(/[#?].*$/, ''));
        if (target === '') continue;
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(md), target)).replace(/\/$/, '');
        const ok = !resolved.startsWith('..') && (entries.includes(resolved) || entries.some((f) => f.startsWith(`${resolved}/`)));
        if (!ok) dead.push(`${md}: ${link}`);
      }
    }
    expect(dead, `links to files the tarball does not contain:\n${dead.join('\n')}`).toEqual([]);
  });

  it('`npx openapi-security-codegen --version` and `npx codegen --version` print the package version', async () => {
    for (const bin of ['openapi-security-codegen', 'codegen']) {
      const r = await mustRun('npx', ['--no', '--', bin, '--version'], project);
      expect(r.stdout.trim(), describeRun('npx', ['--no', '--', bin, '--version'], project, r)).toBe(pkg.version);
    }
  }, TIMEOUT);

  it('follows the README quick start: both bins generate, `check` passes, the output type-checks with the project\'s tsc', async () => {
    const qs = quickStart(readme);
    expect(qs).toContain('npm install -D openapi-security-codegen');
    expect(qs).toContain('npx openapi-security-codegen');
    expect(qs).toContain('npx codegen');

    const out = path.join(project, config.out);
    const expected = [
      'security.ts',
      'guard.ts',
      ...(config.server ?? []).map((s) => `${s}.ts`),
      ...(config.client ? ['client.ts'] : []),
      // the plain fetch client lives in client.ts; the other integrations have a file each
      ...(config.client ?? []).filter((c) => c !== 'fetch').map((c) => `${c}.ts`),
    ];

    const generated: Record<string, string[]> = {};
    for (const bin of ['openapi-security-codegen', 'codegen']) {
      rmSync(out, { recursive: true, force: true });
      await mustRun('npx', ['--no', '--', bin], project);
      expect(existsSync(out), `\`npx ${bin}\` exited 0 but wrote no ${config.out}`).toBe(true);
      generated[bin] = listTree(out);
      expect(generated[bin]).toEqual(expect.arrayContaining(expected));
      for (const check of ['openapi-security-codegen', 'codegen']) await mustRun('npx', ['--no', '--', check, 'check'], project);
    }
    expect(generated['codegen']).toEqual(generated['openapi-security-codegen']);

    writeFileSync(
      path.join(project, 'tsconfig.json'),
      `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noUncheckedIndexedAccess: true,
            exactOptionalPropertyTypes: true,
            verbatimModuleSyntax: true,
            skipLibCheck: true,
            noEmit: true,
            types: ['node'],
          },
          include: [config.out],
        },
        null,
        2,
      )}\n`,
    );
    const tsc = path.join(project, 'node_modules/typescript/bin/tsc');
    if (!existsSync(tsc)) throw new Error(`the scratch project has no ${tsc}`);
    const version = await mustRun(process.execPath, [tsc, '--version'], project);
    expect(version.stdout.trim()).toBe(`Version ${pkg.devDependencies['typescript']}`);
    await mustRun(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  }, TIMEOUT);
});
