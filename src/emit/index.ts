// Emit stage: IR -> file plans. Per-spec files are Handlebars skeletons filled with
// values that already went through the sinks; the runtime is hand-written source
// under templates/runtime/, copied as the manifest (manifest.ts) lists for the targets.
import type { SecurityModel } from '../ir/types.js';
import { clientEnvNames } from '../naming/env-names.js';
import { compareCodeUnits } from '../shared/order.js';
import { printLiteral } from './literal.js';
import { contentHash, header, packageJson, POSTGRES_SQL_FILE, runtimeHeader, sqlHeader, type FilePlan } from './plan.js';
import { docCommentText, literalUnion, stringLiteral } from './sinks.js';
import { operationsTable, schemesTable, trustedServerUrl, usedSchemeIds } from './tables.js';
import { verifierTypes } from './verifiers.js';

import { runtimeFilesFor } from './manifest.js';
import type { ClientIntegration, Features, ServerAdapter } from './targets.js';
import { TemplateSource } from './templates.js';

export { CLIENT_INTEGRATIONS, SERVER_ADAPTERS, type ClientIntegration, type Features, type ServerAdapter } from './targets.js';
export { BUILTIN_TEMPLATES, TemplateError } from './templates.js';

export interface EmitOptions {
  readonly server: readonly ServerAdapter[];
  /** `[]` means no client; `fetch` alone gives client.ts. */
  readonly client: readonly ClientIntegration[];
  /** Folder with user overrides of `*.hbs` skeletons and runtime files. */
  readonly templates?: string;
  /** Prefix of every environment variable the client reads (`MYAPI_`); default: derived from the spec's title. */
  readonly envPrefix?: string;
  /** Optional runtime files: the PostgreSQL key store and its SQL, quotas, usage. */
  readonly features?: Features;
  readonly generatorVersion: string;
}

export function emit(model: SecurityModel, options: EmitOptions): FilePlan[] {
  const templates = new TemplateSource(options.templates);
  // Every override that this run uses is read before the hash is taken, so the hash
  // (and `codegen check`) changes when one of them does.
  const runtime = templates.runtime(runtimeFilesFor(options.server, options.client, options.features));
  for (const name of ['security.ts.hbs', 'guard.ts.hbs', ...(options.client.length > 0 ? ['client.ts.hbs'] : [])]) templates.read(name);
  const overrides = templates.overridesUsed();
  // Only the model can hold NOT_HASHED keys (the rest are target names, template file
  // names, the prefix and the feature switches), so leaving them out everywhere leaves
  // them out of the model, in the same pass that renders it.
  const inputHash = contentHash({ model, server: options.server, client: options.client, ...(overrides ? { templates: overrides } : {}), ...(options.envPrefix !== undefined ? { envPrefix: options.envPrefix } : {}), ...(options.features !== undefined ? { features: options.features } : {}) }, NOT_HASHED);
  const headerInfo = { version: options.generatorVersion, specFile: model.file, inputHash };
  const head = header(headerInfo);
  const used = usedSchemeIds(model);
  const files = new Map<string, string>();
  const verifiers = verifierTypes(model);

  const view = {
    header: head,
    hashedHeader: header(headerInfo, true),
    title: docCommentText(model.title || model.file),
    schemes: printLiteral(schemesTable(model)),
    operations: printLiteral(operationsTable(model)),
    basePath: stringLiteral(model.basePath),
    serverUrl: nullable(trustedServerUrl(model.serverUrls[0])),
    usedSchemes: literalUnion(used),
    groupNames: verifiers.groupNames,
    verifierParams: verifiers.params,
    verifierParamsRequired: verifiers.paramsRequired,
    verifierArgs: verifiers.args,
    verifiersBody: verifiers.body,
  };
  files.set('package.json', packageJson(headerInfo));
  // security.ts alone carries the input hash (its header is `hashedHeader`; a user's
  // override of the skeleton that still writes `{{header}}` simply has no hash line).
  files.set('security.ts', templates.render('security.ts.hbs', view));
  files.set('guard.ts', templates.render('guard.ts.hbs', view));

  if (options.client.length > 0) {
    const { prefix, names } = clientEnvNames(model.schemes, used, model.title, options.envPrefix);
    const envTable = Object.fromEntries(used.map((id) => [id, names.get(id)?.base ?? '']));
    const variables = Object.fromEntries(used.map((id) => [id, [...(names.get(id)?.variables ?? [])]]));
    const envDoc = [
      ` * Every name starts with ${prefix} (${options.envPrefix !== undefined ? 'envPrefix in the config' : 'from the spec\'s title; set envPrefix in the config to choose'}):`,
      ...used.map((id) => {
        const vars = variables[id] ?? [];
        return ` *   ${docCommentText(id)}: ${vars.length > 0 ? vars.join(', ') : '(not read: configure the certificate on the transport)'}`;
      }),
    ];
    files.set('client.ts', templates.render('client.ts.hbs', { ...view, envNames: printLiteral(envTable), envVariables: printLiteral(variables), envDoc: envDoc.join('\n') }));
  }

  const copied = runtimeHeader(options.generatorVersion);
  for (const [name, text] of runtime) files.set(name, copied + text);
  if (options.features?.keys === 'postgres') files.set(POSTGRES_SQL_FILE, sqlHeader(options.generatorVersion) + templates.sql('postgres-keys.sql'));
  return [...files.entries()].sort(([a], [b]) => compareCodeUnits(a, b)).map(([p, contents]) => ({ path: p, contents }));
}

function nullable(value: string | undefined): string {
  return value === undefined ? 'null' : stringLiteral(value);
}

/**
 * Origins and document positions say where a value was written, not what it means: they
 * stay out of the hash, at any depth of the model. `publicOnPurpose` (`x-public`) only
 * silences a lint warning: no emitted byte depends on it, so adding it to a spec must
 * not make `codegen check` report drift.
 */
const NOT_HASHED: ReadonlySet<string> = new Set(['origin', 'position', 'publicOnPurpose']);

