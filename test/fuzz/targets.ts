// Request targets for the differential routing fuzz tests: for each fixture a
// `Corpus` (fixed targets sent as is, seed paths, vocabulary); for test/fuzz/routing.yaml
// the plain paths (with concrete parameter values), the attack targets known to have
// split guard and router apart; and fast-check-generated mutations of a corpus's seeds
// (slashes, dot segments raw and encoded, fragments, `?` and `;`, backslashes, letter
// case, percent-encoding, NUL, long paths, absolute-form, empty parameters) under
// GET/HEAD/DELETE/POST/OPTIONS. Everything here is deterministic for a seed.
import fc from 'fast-check';

export interface Target {
  readonly method: string;
  /** The request-target exactly as written on the request line. */
  readonly target: string;
}

/** Every path of the fixture with concrete values, plus routes outside the spec and the base path. */
export const SEED_PATHS: readonly string[] = [
  '/v1/things',
  '/v1/things/1',
  '/v1/docs/1',
  '/v1/docs/1/secret',
  '/v1/reports/a',
  '/v1/reports/a.pdf',
  '/v1/files/x.txt',
  '/v1/files/a/b',
  '/v1/admin/stats',
  '/v1/catalog',
  '/v1/catalog/export',
  '/v1/orders/1',
  '/v1/pets/mine',
  '/v1/pets/7',
  '/v1/feed',
  '/v1/extra',
  '/healthz',
  '/v1',
  '/v1/',
  '/',
];

/** Plain requests to public operations: the control that handlers do run. */
export const PUBLIC_CONTROLS: readonly Target[] = [
  { method: 'GET', target: '/v1/things' },
  { method: 'GET', target: '/v1/docs/1' },
  { method: 'GET', target: '/v1/reports/a' },
  { method: 'GET', target: '/v1/catalog' },
  { method: 'GET', target: '/v1/pets/7' },
  { method: 'GET', target: '/v1/feed' },
];

const ATTACK_GET: readonly string[] = [
  // Fastify: '' as :id while the guard matched the public collection.
  '/v1/things/', '/v1/things//', '/v1/things/?', '/v1/things/#', '/v1/things/;', '/v1/things/%20',
  // Hono: a fragment the router did not strip.
  '/v1/docs/1#/secret', '/v1/docs/1%23/secret', '/v1/docs/1?/secret', '/v1/docs/1;/secret', '/v1/docs/1#', '/v1/docs/1/secret#',
  '/v1/docs/1%2Fsecret', '/v1/docs/1%2fsecret', '/v1/docs/1/./secret', '/v1/docs/1/secret/', '/v1/docs/1//secret', '/v1/docs//secret',
  // Dot segments, raw and encoded.
  '/v1/admin/x/../stats', '/v1/admin/x/%2e%2e/stats', '/v1/admin/x/%2E%2e/stats', '/v1/admin/x/.%2e/stats', '/v1/admin/./stats',
  '/v1/admin/%2e/stats', '/v1/catalog/../admin/stats', '/v1/catalog/%2e%2e/admin/stats', '/v1/things/../admin/stats',
  '/v1/x/../admin/stats', '/x/../v1/admin/stats', '/v1/docs/1/x/../secret', '/v1/pets/x/../mine', '/v1/pets/./mine',
  '/v1/files/a/../../admin/stats', '/v1/files/..', '/v1/files/%2e%2e', '/v1/files/.', '/v1/files/%2e',
  // Dot segments under a wildcard route (`/v1/files/*`): routers that do not resolve them hand them to it.
  '/v1/files/../a/b', '/v1/files/%2e%2e/a/b', '/v1/files/%2E%2E/a', '/v1/files/.%2e/x/y', '/v1/files/./a/b', '/v1/files/a/./b',
  '/v1/files/a/../b', '/v1/fi%6ces/../a/b', '/v1/files/../x.txt', '/v1/files/%252e%252e/a/b', '/v1/files/%25%32%45%25%32%65/a/b',
  // Backslashes.
  '/v1/admin\\stats', '/v1/admin%5Cstats', '/v1/admin%5cstats', '\\v1\\admin\\stats', '/v1\\admin/stats', '/v1/docs/1\\secret',
  // Repeated slashes.
  '//v1/admin/stats', '/v1//admin/stats', '/v1/admin//stats', '/v1/admin/stats/', '/v1/admin/stats//', '///v1/things/1',
  // Wildcard-shaped and multi-segment file paths.
  '/v1/files/a/b', '/v1/files/', '/v1/files/a/', '/v1/files//', '/v1/files/a%2Fb', '/v1/files/*', '/v1/files/%2A',
  // Suffix template with empty or encoded parameters.
  '/v1/reports/.pdf', '/v1/reports/%2Epdf', '/v1/reports/%2epdf', '/v1/reports/a%2Epdf', '/v1/reports/a.PDF', '/v1/reports/a.pdf/',
  '/v1/reports/a.pdf.pdf', '/v1/reports/a.pdf?x=1', '/v1/reports/a.pdf#', '/v1/reports/a%2Epdf#x', '/v1/reports/a.p%64f', '/v1/reports/',
  // Case and encoding of concrete segments.
  '/v1/pets/MINE', '/v1/pets/Mine', '/v1/pets/m%69ne', '/V1/pets/mine', '/v1/PETS/mine', '/v1/Admin/Stats', '/V1/Things/1',
  '/v1/%61dmin/stats', '/v1/admin/st%61ts', '/v1/things%2F1', '/%76%31/admin/stats', '/v1/pets/mine%00', '/v1/admin/stats%00',
  // Absolute-form and other odd targets.
  'http://127.0.0.1/v1/admin/stats', 'http://127.0.0.1/v1/docs/1/secret', 'http://127.0.0.1/v1/things/', 'http://evil.example/v1/pets/mine',
  'HTTP://127.0.0.1/v1/admin/stats', 'http://127.0.0.1//v1/admin/stats', 'http://127.0.0.1/v1/admin/x/../stats', '*',
  '/v1/things/1?x', '/v1/things;/1', '/v1/things;x=1/1', '/v1/catalog;/../admin/stats', '/v1/catalog?/../admin/stats',
  '/healthz/../v1/admin/stats', '/healthz/%2e%2e/v1/admin/stats', '/v1/extra/../admin/stats', '/v1/extra/..%2Fadmin/stats',
  // The outsideSpec route under a spec prefix (mode `next`): only its exact path passes.
  '/v1/catalog/export/', '/v1/catalog/export/..', '/v1/catalog/export/../../admin/stats', '/v1/catalog/export/%2e%2e/%2e%2e/pets/mine',
  '/v1/catalog/export#/../../admin/stats', '/v1/catalog/export?/../../pets/mine', '/v1/catalog/export;/../../admin/stats',
  '/v1/catalog/EXPORT', '/v1/catalog/%65xport', '/v1/catalog//export', '/v1/catalog/export%2F..%2F..%2Fadmin%2Fstats', 'http://127.0.0.1/v1/catalog/export',
  '/v1/feed/../pets/mine', '/v1/feed/', '/v1/catalog/', '/v1/things/1/', '/v1/pets/', '/v1/docs/', '/v1/docs/1/', '/v1/orders/1',
];

/** The targets known to have let credential-less requests reach protected handlers. */
export const ATTACK_TARGETS: readonly Target[] = [
  ...ATTACK_GET.map((target) => ({ method: 'GET', target })),
  ...['/v1/orders/1', '/v1/orders/', '/v1/orders//', '/v1/orders/1/', '/v1/orders/x/../1', '/V1/ORDERS/1', '/v1/orders/1#', '/v1/orders/%2e%2e'].map((target) => ({ method: 'DELETE', target })),
  ...['/v1/admin/stats', '/v1/pets/mine', '/v1/things/1', '/v1/docs/1/secret', '/v1/files/a/b', '/v1/admin/x/../stats'].map((target) => ({ method: 'HEAD', target })),
  ...['/v1/things', '/v1/orders/1', '/v1/admin/stats'].map((target) => ({ method: 'OPTIONS', target })),
  ...['/v1/things', '/v1/things/1', '/v1/admin/stats'].map((target) => ({ method: 'POST', target })),
];

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

/** Words from routing syntax, spliced in as whole segments (after a fixture's own words). */
export const SYNTAX_WORDS: readonly string[] = [
  '1', 'a', 'a.pdf', '.pdf', 'a.b.pdf', '*', '..', '.', '%2e%2e', '%2E', '%2F', 'a%2Fb', ':id', '{id}', '%7Bid%7D',
  '', 'x', '%00', '%C3%A9', '\u00e9', '%', '%zz', '~', '$', '(', ')', '@', '+', '=', '!', "'",
];

/** Words from the spec and from routing syntax, spliced in as whole segments. */
const VOCAB: readonly string[] = [
  'v1', 'V1', 'things', 'docs', 'secret', 'reports', 'files', 'admin', 'stats', 'catalog', 'export', 'orders', 'pets', 'mine', 'feed',
  'healthz', 'extra', ...SYNTAX_WORDS,
];
const DOT_SEGMENTS: readonly string[] = ['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2e', '%2E%2E', '.%2e', '%2e.', 'x/..', 'x/%2e%2e', 'a/b/../..'];
const SUFFIXES: readonly string[] = ['/', '//', '#', '#/secret', '#x', '%23/secret', '?', '?a=1', '?/secret', ';', ';x=1', ';/secret', '%00', '.pdf', '/.', '/..', '/%2e%2e', '\\', '%5C', '%20', '%09', '/*'];
const SLASH_LIKE: readonly string[] = ['//', '///', '\\', '%5C', '%5c', '%2F', '%2f', '/./', '/%2e/', '/;/', '/x/../'];
const PREFIXES: readonly string[] = ['http://127.0.0.1', 'http://localhost:1', 'http://evil.example', 'HTTP://127.0.0.1', 'http://127.0.0.1/', '/', '//', '\\', '/.', '/x/..'];

type Mutation = (path: string) => string;

const clampIndex = (n: number, length: number): number => (length === 0 ? 0 : n % length);
const slashes = (p: string): number[] => [...p].flatMap((ch, i) => (ch === '/' ? [i] : []));
const segmentsOf = (p: string): string[] => p.split('/');
const pct = (ch: string, lower: boolean): string =>
  [...Buffer.from(ch, 'utf8')].map((b) => '%' + (lower ? b.toString(16).padStart(2, '0') : b.toString(16).toUpperCase().padStart(2, '0'))).join('');

const mutationsWith = (vocab: readonly string[]): ReadonlyArray<fc.Arbitrary<Mutation>> => [
  // Trailing and repeated slashes, empty segments.
  fc.constant((p: string) => p + '/'),
  fc.nat().map((n) => (p: string) => {
    const at = slashes(p);
    const i = at[clampIndex(n, at.length)];
    return i === undefined ? p : p.slice(0, i) + '/' + p.slice(i);
  }),
  // A slash replaced by something a router may or may not treat as one.
  fc.tuple(fc.nat(), fc.constantFrom(...SLASH_LIKE)).map(([n, s]) => (p: string) => {
    const at = slashes(p);
    const i = at[clampIndex(n, at.length)];
    return i === undefined ? p : p.slice(0, i) + s + p.slice(i + 1);
  }),
  // A dot segment (raw or encoded) inserted between segments.
  fc.tuple(fc.nat(), fc.constantFrom(...DOT_SEGMENTS)).map(([n, d]) => (p: string) => {
    const segs = segmentsOf(p);
    const i = 1 + clampIndex(n, Math.max(1, segs.length - 1));
    return [...segs.slice(0, i), d, ...segs.slice(i)].join('/');
  }),
  // A suffix at the end, or an infix at a segment boundary.
  fc.constantFrom(...SUFFIXES).map((s) => (p: string) => p + s),
  fc.tuple(fc.nat(), fc.constantFrom('#', '?', ';', '%23', '%3F', '%3B', '#/', '?/', ';/')).map(([n, s]) => (p: string) => {
    const at = slashes(p);
    const i = at[clampIndex(n, at.length)];
    return i === undefined ? p + s : p.slice(0, i) + s + p.slice(i);
  }),
  // Letter case: one segment upper-cased, or one character flipped.
  fc.nat().map((n) => (p: string) => {
    const segs = segmentsOf(p);
    const i = clampIndex(n, segs.length);
    return segs.map((s, k) => (k === i ? s.toUpperCase() : s)).join('/');
  }),
  fc.nat().map((n) => (p: string) => {
    const i = clampIndex(n, p.length);
    const ch = p.charAt(i);
    const flipped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    return p.slice(0, i) + flipped + p.slice(i + 1);
  }),
  // Percent-encoding of one character (any, '/' included), upper or lower hex.
  fc.tuple(fc.nat(), fc.boolean()).map(([n, lower]) => (p: string) => {
    const i = clampIndex(n, p.length);
    return p.slice(0, i) + pct(p.charAt(i), lower) + p.slice(i + 1);
  }),
  // Percent-encoding of a whole segment.
  fc.tuple(fc.nat(), fc.boolean()).map(([n, lower]) => (p: string) => {
    const segs = segmentsOf(p);
    const i = clampIndex(n, segs.length);
    return segs.map((s, k) => (k === i ? [...s].map((c) => pct(c, lower)).join('') : s)).join('/');
  }),
  // NUL or another encoded byte inserted anywhere.
  fc.tuple(fc.nat(), fc.constantFrom('%00', '%0A', '%0D', '%20', '%FF', '%C0%AE', '%E2%80%AE', '%u002e', '%25', '%252e')).map(([n, s]) => (p: string) => {
    const i = clampIndex(n, p.length + 1);
    return p.slice(0, i) + s + p.slice(i);
  }),
  // A segment replaced by, or inserted from, the vocabulary (cross-route confusion).
  fc.tuple(fc.nat(), fc.constantFrom(...vocab), fc.boolean()).map(([n, word, replace]) => (p: string) => {
    const segs = segmentsOf(p);
    const i = 1 + clampIndex(n, Math.max(1, segs.length - 1));
    return (replace ? [...segs.slice(0, i), word, ...segs.slice(i + 1)] : [...segs.slice(0, i), word, ...segs.slice(i)]).join('/');
  }),
  // The last segment emptied (empty parameter), keeping a `.pdf` suffix if present.
  fc.constantFrom('', '.pdf', '%2Epdf', '%2epdf', '%20', '%00').map((s) => (p: string) => {
    const segs = segmentsOf(p);
    segs[segs.length - 1] = s;
    return segs.join('/');
  }),
  // Absolute-form and other prefixes.
  fc.constantFrom(...PREFIXES).map((prefix) => (p: string) => prefix + p),
  // A parameter-like value for the last segment (ordinary, dotted, encoded, empty).
  fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/).map((value) => (p: string) => {
    const segs = segmentsOf(p);
    segs[segs.length - 1] = value;
    return segs.join('/');
  }),
];
/** Long paths (a long parameter value, or many segments): rarer than the others. */
const longPath: fc.Arbitrary<Mutation> = fc
  .tuple(fc.integer({ min: 200, max: 4000 }), fc.constantFrom('a', '/a', '/', '../', '%2e%2e/', 'x/'))
  .map(([n, unit]) => (p: string) => p + '/' + unit.repeat(Math.ceil(n / unit.length)));

const METHODS: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('GET') },
  { weight: 2, arbitrary: fc.constantFrom('HEAD', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('POST', 'OPTIONS') },
);

/** What a fixture's targets are made of. */
export interface Corpus {
  /** Sent first, as is: controls, plain paths, known attacks. */
  readonly fixed: readonly Target[];
  /** The paths mutations start from. */
  readonly seeds: readonly string[];
  /** Words spliced in as whole segments (cross-route confusion). */
  readonly vocab: readonly string[];
}

export const ROUTING_CORPUS: Corpus = {
  fixed: [...PUBLIC_CONTROLS, ...SEED_PATHS.map((target) => ({ method: 'GET', target })), ...ATTACK_TARGETS],
  seeds: SEED_PATHS,
  vocab: VOCAB,
};

/** One generated target: a seed path with 1–4 mutations applied in order (mostly one or two: near-valid paths are where routers disagree). */
export function targetArbitrary(corpus: Corpus): fc.Arbitrary<Target> {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(...mutationsWith(corpus.vocab).map((arbitrary) => ({ weight: 4, arbitrary })), { weight: 1, arbitrary: longPath });
  const chain: fc.Arbitrary<Mutation[]> = fc.oneof(
    { weight: 5, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 2 }) },
    { weight: 2, arbitrary: fc.array(mutation, { minLength: 3, maxLength: 4 }) },
  );
  return fc
    .tuple(METHODS, fc.constantFrom(...corpus.seeds), chain)
    .map(([method, seed, mutations]) => ({ method, target: sanitize(mutations.reduce((p, m) => m(p), seed)) }));
}

/**
 * Keeps the request line one line: spaces, CR, LF and other control characters would
 * end the target or the line, so they go out percent-encoded. An empty target becomes '/'.
 */
export function sanitize(target: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = target.replace(/[\u0000-\u0020\u007f]/g, (c) => pct(c, false));
  return clean === '' ? '/' : clean;
}

/**
 * The full list for one run: the corpus's fixed targets first, then `runs` generated
 * targets (duplicates dropped), all from `seed`.
 */
export function buildTargets(seed: number, runs: number, corpus: Corpus): Target[] {
  const fixed = corpus.fixed;
  const seen = new Set<string>();
  const out: Target[] = [];
  const add = (t: Target): void => {
    const key = `${t.method} ${t.target}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(t);
  };
  fixed.forEach(add);
  const generated = fc.sample(targetArbitrary(corpus), { seed, numRuns: runs * 2 });
  for (const t of generated) {
    if (out.length >= fixed.length + runs) break;
    add(t);
  }
  return out;
}
