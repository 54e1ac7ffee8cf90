// Running generated TypeScript in a child Node process: Node's own type stripping
// (22.6+) is amaro in strip-only mode; this Node may be older, so a load hook runs the
// same stripper (a pinned devDependency) on every `.ts` file (an enum, a namespace or a
// parameter property makes it throw). Node resolves specifiers as written and the
// output imports `./runtime-server.js` (what tsc and bundlers want), so a resolve hook
// maps a missing relative `.js` to its `.ts`. Pass `--import`, STRIP_TYPES_IMPORT.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

const HOOK = `import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from ${JSON.stringify(pathToFileURL(require.resolve('amaro')).href)};
export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (error) {
    if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw error;
  }
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = readFileSync(fileURLToPath(url), 'utf8');
  return { format: 'module', source: transformSync(source, { mode: 'strip-only' }).code, shortCircuit: true };
}`;

const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(HOOK))});`;

/** The value of Node's `--import` flag that registers the hooks. */
export const STRIP_TYPES_IMPORT = `data:text/javascript,${encodeURIComponent(REGISTER)}`;
