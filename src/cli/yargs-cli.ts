// The yargs command table: every command and flag of `codegen`, its help and its usage
// errors. Loaded only for command lines that simple-args.ts does not take (any command
// but a plain generate or check, --help, --version, anything unusual), since loading
// yargs costs a short run more than reading a small spec. Returns the exit code;
// errors propagate to main(), which prints them.
import yargs, { type ArgumentsCamelCase, type Argv } from 'yargs';
import { VERSION } from '../pipeline.js';
import { EXIT, UsageError, type Io } from './io.js';
import type { TargetCommand } from './simple-args.js';
import type { TargetFlags } from './targets.js';
import { explainUsage, needsValue } from './usage.js';

// Every flag is declared once with its type; the handlers read the argv yargs infers
// from these declarations, so a flag's type is never re-asserted by a cast.
function targetOptions<T>(y: Argv<T>) {
  return y
    .option('config', { type: 'string', coerce: needsValue('config'), describe: 'config file (default: codegen.config.json, .mjs, .js or .ts in the working directory)' })
    .option('spec', { type: 'string', coerce: needsValue('spec'), describe: 'OpenAPI file (YAML or JSON); overrides the config' })
    .option('out', { type: 'string', coerce: needsValue('out'), describe: 'output folder (default: generated)' })
    .option('server', { type: 'string', array: true, describe: 'server adapters: express,fastify,koa,hono,fetch,node or all' })
    .option('client', { type: 'string', coerce: clientFlag, describe: 'emit client.ts; optionally integrations: fetch,openapi-fetch,axios or all' })
    .option('templates', { type: 'string', coerce: needsValue('templates'), describe: 'folder with template overrides' })
    .option('env-prefix', { type: 'string', coerce: needsValue('env-prefix'), describe: 'prefix of the environment variables the client reads, e.g. MYAPI_ (default: from the spec title)' })
    .option('skip-invalid', { type: 'boolean', describe: 'drop (and report) each alternative whose schemes are undefined, invalid or uncarriable, instead of refusing the spec; an operation left with none is refused (403)' });
}

type TargetArgv = ArgumentsCamelCase<Awaited<ReturnType<typeof targetOptions<object>>['argv']>>;

/**
 * `--client` alone means true; `--client axios,fetch` a list; absent means "from config".
 * yargs hands over what the command line held (`--no-client` is `false`, a repeated
 * flag an array), hence `unknown`; the list is split by the config stage.
 */
function clientFlag(v: unknown): string[] | boolean | undefined {
  if (v === undefined) return undefined;
  if (v === '' || v === true || v === 'true') return true;
  if (v === 'false') return false;
  return [String(v)];
}

function targetFlags(argv: TargetArgv): TargetFlags {
  return {
    config: argv.config,
    spec: argv.spec,
    out: argv.out,
    server: argv.server,
    client: argv.client,
    templates: argv.templates,
    skipInvalid: argv.skipInvalid,
    envPrefix: argv.envPrefix,
  };
}

/**
 * Parse `args` with yargs and run the command they name. `runTarget` runs generate and
 * check (main.ts `runTargetCommand`, the one path simple-args.ts command lines take too).
 */
export async function runYargs(args: readonly string[], io: Io, cwd: string, runTarget: (command: TargetCommand) => Promise<number>): Promise<number> {
  let exit: number = EXIT.ok;
  const run = (task: () => Promise<number>) => async () => {
    exit = await task();
  };
  const cli = yargs([...args]);
  skipHelpCache(cli);
  await cli
    .scriptName('codegen')
    .version(VERSION)
    // English, whatever LANG says: explainUsage reads yargs' strict-mode message.
    .locale('en')
    .strict()
    .option('quiet', { type: 'boolean', describe: 'print errors only' })
    .option('debug', { type: 'boolean', describe: 'show stack traces' })
    .command(
      ['generate', '$0'],
      'generate guards (and client code) for every configured spec',
      (y) =>
        targetOptions(y)
          .option('verify', { type: 'boolean', describe: 'type-check the generated code (strict) before writing' })
          .option('force', { type: 'boolean', describe: 'write into an existing, non-empty --out folder that holds no generated file (its files are left as they are)' }),
      (argv) => run(() => runTarget({ command: 'generate', flags: { ...targetFlags(argv), verify: argv.verify ?? false, force: argv.force ?? false } }))(),
    )
    .command(
      'lint',
      'report spec problems (exit 1 on errors)',
      (y) =>
        targetOptions(y)
          .option('format', { choices: ['text', 'json', 'sarif'] as const, default: 'text' as const })
          .option('validate', { type: 'boolean', describe: 'also validate the whole document against the OpenAPI schema (opt-in: real specs often fail it for reasons unrelated to security)' })
          .option('explain', { type: 'string', coerce: needsValue('explain'), describe: 'print the title, cause and fix of a diagnostic code, diff change rule or class (reads no spec or config)' }),
      (argv) =>
        run(async () => {
          // --explain reads only the catalog: no config is loaded, no spec is read.
          if (argv.explain !== undefined) {
            const { runExplain } = await import('./commands/explain.js');
            return runExplain(argv.explain, io);
          }
          const { runLint } = await import('./commands/lint.js');
          return runLint({ ...targetFlags(argv), format: argv.format, validate: argv.validate ?? false }, io, cwd);
        })(),
    )
    .command(
      'check',
      'exit 1 when the generated output no longer matches the spec',
      (y) => targetOptions(y).option('format', { choices: ['text', 'json'] as const, default: 'text' as const }),
      (argv) => run(() => runTarget({ command: 'check', flags: { ...targetFlags(argv), format: argv.format } }))(),
    )
    .command(
      'report',
      'print the security matrix (markdown, json or html)',
      (y) => targetOptions(y).option('format', { choices: ['markdown', 'json', 'html'] as const, default: 'markdown' as const }).option('output', { type: 'string', coerce: needsValue('output'), describe: 'write to this file instead of stdout' }),
      (argv) =>
        run(async () => {
          const { runReport } = await import('./commands/report.js');
          return runReport({ ...targetFlags(argv), format: argv.format, output: argv.output }, io, cwd);
        })(),
    )
    .command(
      'diff <old> <new>',
      'classify security changes between two spec versions (files or git:<ref>:<path>)',
      (y) =>
        y
          .positional('old', { type: 'string', demandOption: true })
          .positional('new', { type: 'string', demandOption: true })
          .option('format', { choices: ['text', 'markdown', 'json', 'sarif'] as const, default: 'text' as const })
          // A repeated --fail-on arrives as an array; String() joins it into one comma list.
          .option('fail-on', { type: 'string', default: 'weakening,endpoint-changed', coerce: String, describe: 'comma list of classes that make the exit code 1: weakening, endpoint-changed, client-breaking, strengthening, neutral, none, any' })
          .option('accept', { type: 'string', coerce: needsValue('accept'), describe: 'accept file of reviewed changes (default: the config\'s "accept")' }),
      (argv) =>
        run(async () => {
          const { runDiff } = await import('./commands/diff.js');
          return runDiff({ old: argv.old, new: argv.new, format: argv.format, failOn: argv.failOn, accept: argv.accept }, io, cwd);
        })(),
    )
    .command(
      'ci',
      'the pull-request gate: check every spec, diff it against --base (with the accept file), write a job summary and SARIF',
      (y) =>
        targetOptions(y)
          .option('base', { type: 'string', demandOption: true, coerce: needsValue('base'), describe: 'git ref or commit to compare the specs against (e.g. origin/main)' })
          .option('fail-on', { type: 'string', default: 'weakening,endpoint-changed', coerce: String, describe: 'comma list of change classes that fail the gate' })
          .option('accept', { type: 'string', coerce: needsValue('accept'), describe: 'accept file of reviewed changes (default: the config\'s "accept")' })
          .option('summary', { type: 'string', describe: 'append the Markdown report to this file (GitHub: $GITHUB_STEP_SUMMARY)' })
          .option('sarif', { type: 'string', coerce: needsValue('sarif'), describe: 'write a SARIF 2.1.0 log of the changes to this file' })
          .option('category', { type: 'string', coerce: needsValue('category'), describe: 'SARIF category suffix, to tell several gates of one repository apart in code scanning' }),
      (argv) =>
        run(async () => {
          const { runCi } = await import('./commands/ci.js');
          return runCi({ ...targetFlags(argv), base: argv.base, failOn: argv.failOn, accept: argv.accept, summary: argv.summary, sarif: argv.sarif, category: argv.category }, io, cwd);
        })(),
    )
    .command('keys', 'issue, rotate, revoke and list API keys in a format secret scanners recognise', (y) =>
      y
        .command(
          'new',
          'print a new API key once, with its record (id and hash, never the key); --file appends the record to a key file',
          (k) =>
            k
              .option('prefix', { type: 'string', demandOption: true, coerce: needsValue('prefix'), describe: 'lower-case words joined by _, e.g. acme_live' })
              .option('client', { type: 'string', coerce: needsValue('client'), describe: 'the owner (owner.clientId); required with --file, else the key id' })
              .option('scope', { type: 'string', array: true, default: [] as string[], describe: 'a scope the key grants (repeatable)' })
              .option('app', { type: 'string', array: true, default: [] as string[], describe: 'an App ID the key belongs to (repeatable)' })
              .option('ip', { type: 'string', array: true, default: [] as string[], describe: 'a client IP range, CIDR or one address (repeatable); absent: any' })
              .option('origin', { type: 'string', array: true, default: [] as string[], describe: 'a web origin, https://shop.example (repeatable); absent: any' })
              .option('operation', { type: 'string', array: true, default: [] as string[], describe: 'an operation id the key may call (repeatable); absent: every one' })
              .option('not-before', { type: 'string', coerce: needsValue('not-before'), describe: 'valid from (ISO 8601)' })
              .option('expires', { type: 'string', coerce: needsValue('expires'), describe: 'expiry: ISO 8601, or a duration from now (90d, 12h, 30m, 45s)' })
              .option('quota', { type: 'string', coerce: needsValue('quota'), describe: 'requests per window for quotaLimiter, e.g. 1000/1h' })
              .option('file', { type: 'string', coerce: needsValue('file'), describe: 'append the record to this key file (created as { "keys": [] } if missing)' })
              .option('store', { choices: ['file', 'postgres'] as const, describe: 'postgres: insert the record into the table of DATABASE_URL' })
              .option('table', { type: 'string', coerce: needsValue('table'), describe: 'with --store postgres: the table (default api_keys; schema.table allowed)' })
              .option('json', { type: 'boolean', default: false, describe: 'print { key, record }' }),
          (argv) =>
            run(async () => {
              const { runKeysNew } = await import('./commands/keys.js');
              return runKeysNew(
                {
                  prefix: argv.prefix,
                  client: argv.client,
                  scope: argv.scope.map(String),
                  app: argv.app.map(String),
                  ip: argv.ip.map(String),
                  origin: argv.origin.map(String),
                  operation: argv.operation.map(String),
                  notBefore: argv.notBefore,
                  expires: argv.expires,
                  quota: argv.quota,
                  file: argv.file,
                  store: argv.store,
                  table: argv.table,
                  json: argv.json,
                },
                io,
                cwd,
              );
            })(),
        )
        .command(
          'rotate <id>',
          'issue a replacement for a key (same owner and restrictions) and let the old one work for a grace period',
          (k) =>
            k
              .positional('id', { type: 'string', demandOption: true, describe: 'the key id' })
              .option('file', { type: 'string', coerce: needsValue('file'), describe: 'the key file' })
              .option('store', { choices: ['file', 'postgres'] as const, describe: 'postgres: the table of DATABASE_URL (see keys schema --postgres)' })
              .option('table', { type: 'string', coerce: needsValue('table'), describe: 'with --store postgres: the table (default api_keys; schema.table allowed)' })
              .option('grace', { type: 'string', default: '7d', coerce: needsValue('grace'), describe: 'how long the old key still works: 7d, 12h, 30m, 45s or 0' })
              .option('json', { type: 'boolean', default: false, describe: 'print { key, record, previous }' }),
          (argv) =>
            run(async () => {
              const { runKeysRotate } = await import('./commands/keys.js');
              return runKeysRotate({ id: argv.id, file: argv.file, store: argv.store, table: argv.table, grace: argv.grace, json: argv.json }, io, cwd);
            })(),
        )
        .command(
          'revoke <id>',
          'mark a key revoked: refused from its next lookup',
          (k) => k.positional('id', { type: 'string', demandOption: true, describe: 'the key id' }).option('file', { type: 'string', coerce: needsValue('file'), describe: 'the key file' })
              .option('store', { choices: ['file', 'postgres'] as const, describe: 'postgres: the table of DATABASE_URL (see keys schema --postgres)' })
              .option('table', { type: 'string', coerce: needsValue('table'), describe: 'with --store postgres: the table (default api_keys; schema.table allowed)' }),
          (argv) =>
            run(async () => {
              const { runKeysRevoke } = await import('./commands/keys.js');
              return runKeysRevoke({ id: argv.id, file: argv.file, store: argv.store, table: argv.table }, io, cwd);
            })(),
        )
        .command(
          'list',
          'one line per key: id, prefix, owner, apps, age, last use, state (never the hash)',
          (k) =>
            k
              .option('file', { type: 'string', coerce: needsValue('file'), describe: 'the key file' })
              .option('store', { choices: ['file', 'postgres'] as const, describe: 'postgres: the table of DATABASE_URL (see keys schema --postgres)' })
              .option('table', { type: 'string', coerce: needsValue('table'), describe: 'with --store postgres: the table (default api_keys; schema.table allowed)' })
              .option('unused-since', { type: 'string', coerce: needsValue('unused-since'), describe: 'only keys not used for this long (never used: since creation), e.g. 90d' })
              .option('older-than', { type: 'string', coerce: needsValue('older-than'), describe: 'only keys created more than this long ago, e.g. 365d' })
              .option('json', { type: 'boolean', default: false, describe: 'print the records (without hashes) with their state' }),
          (argv) =>
            run(async () => {
              const { runKeysList } = await import('./commands/keys.js');
              return runKeysList({ file: argv.file, store: argv.store, table: argv.table, unusedSince: argv.unusedSince, olderThan: argv.olderThan, json: argv.json }, io, cwd);
            })(),
        )
        .command(
          'pattern',
          'print the secret-scanner rule for keys of a prefix',
          (k) => k.option('prefix', { type: 'string', demandOption: true, coerce: needsValue('prefix') }).option('format', { choices: ['regex', 'gitleaks', 'github'] as const, default: 'regex' as const }),
          (argv) =>
            run(async () => {
              const { runKeysPattern } = await import('./commands/keys.js');
              return runKeysPattern({ prefix: argv.prefix, format: argv.format }, io);
            })(),
        )
        .command(
          'schema',
          'print the SQL the PostgreSQL key store needs (table, change trigger, usage table)',
          (k) => k.option('postgres', { type: 'boolean', default: false, describe: 'PostgreSQL (the one database supported)' }),
          (argv) =>
            run(async () => {
              const { runKeysSchema } = await import('./commands/keys.js');
              return runKeysSchema({ postgres: argv.postgres }, io);
            })(),
        )
        .demandCommand(1, 'keys: name a subcommand (new, rotate, revoke, list, pattern, schema)'),
    )
    .fail((message, error) => {
      // yargs' own complaints (and a coerce's UsageError) arrive as YError; a command's errors as themselves.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(explainUsage(error?.message ?? message, args, ...where(cli)));
    })
    .help()
    .parseAsync();
  return exit;
}

/**
 * Before a named command's handler runs, yargs renders that command's whole help text
 * (string widths, wrapping) and keeps it, for help shown after the handler has started.
 * This CLI never shows help then (a handler's error is one line, see `.fail`), and the
 * rendering costs a short run more than reading a small spec: so it is not kept, and
 * `--help` renders as before. Not in yargs' published types.
 */
function skipHelpCache(cli: object): void {
  const y = cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = y.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * Where a usage error happened: the options of the command yargs was parsing, and the
 * commands it entered (`['keys']` inside `codegen keys`). Neither is in yargs' published types.
 */
function where(cli: object): [options: string[], commandPath: string[]] {
  const y = cli as { getOptions?: () => { key?: object }; getInternalMethods?: () => { getContext?: () => { commands?: unknown } } };
  const commands = y.getInternalMethods?.().getContext?.().commands;
  return [Object.keys(y.getOptions?.().key ?? {}), Array.isArray(commands) ? commands.map(String) : []];
}
