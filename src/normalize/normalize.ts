// Normalize stage: the only code that reads raw spec objects. Detects the version,
// reads schemes (schemes.ts), path items and operations, resolves root default vs
// operation override, and returns the IR plus the diagnostics found on the way.
import type { OpenAPI } from 'openapi-types';
import type { Diagnostic } from '../diagnostics/types.js';
import type { LoadedSpec } from '../load/load.js';
import type { Operation, OperationAuth, Scheme, SecurityModel, SpecVersion } from '../ir/types.js';
import { HTTP_METHODS, methodRank } from '../shared/http.js';
import { compareCodeUnits } from '../shared/order.js';
import { NormalizeContext, entry, field, isRecord, keysOf, originOf, stringAt, type Raw } from './context.js';
import { normalizeSchemes } from './schemes.js';
import { normalizeSecurity } from './security.js';

/** A document of any version: field names are checked against all three. */
type Document = Raw<OpenAPI.Document>;

export interface NormalizeResult {
  readonly model: SecurityModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Scheme names whose definitions were rejected (already reported). */
  readonly rejectedSchemes: ReadonlySet<string>;
}

export async function normalize(spec: LoadedSpec): Promise<NormalizeResult> {
  const ctx = new NormalizeContext(spec);
  const root: Document = { value: spec.root, file: spec.file, pointer: '' };
  const version = detectVersion(root);
  if (!version) {
    ctx.report('not-openapi', 'error', originOf(root), 'unsupported document: expected `swagger: "2.0"` or `openapi: 3.0.x / 3.1.x`');
    return { model: undefined, diagnostics: ctx.diagnostics, rejectedSchemes: ctx.rejectedSchemes };
  }
  const schemesNode = version === '2.0' ? field(root, 'securityDefinitions') : field(field(root, 'components'), 'securitySchemes');
  const schemes: Scheme[] = await normalizeSchemes(ctx, schemesNode, version);

  const rootSecurity = field(root, 'security');
  const rootAuth: OperationAuth | undefined = rootSecurity.value === undefined ? undefined : normalizeSecurity(ctx, rootSecurity, 'root');

  const operations: Operation[] = [];
  const pathsNode = field(root, 'paths');
  for (const path of keysOf(pathsNode)) {
    if (!path.startsWith('/')) continue; // `x-` extensions
    const item = await ctx.resolve(entry(pathsNode, path));
    if (!item || !isRecord(item.value)) continue;
    for (const method of HTTP_METHODS) {
      const opNode = field(item, method);
      if (!isRecord(opNode.value)) continue;
      const op = (await ctx.resolve(opNode)) ?? opNode;
      const security = field(op, 'security');
      const auth: OperationAuth =
        security.value !== undefined
          ? normalizeSecurity(ctx, security, 'operation')
          : (rootAuth ?? { kind: 'public', source: 'none', origin: originOf(op) });
      const operationId = stringAt(op, 'operationId');
      const summary = stringAt(op, 'summary');
      const operation: Operation = {
        id: operationId !== undefined && operationId !== '' ? operationId : `${method} ${path}`,
        method,
        path,
        origin: originOf(op),
        auth,
        position: operations.length,
        // Only the boolean: `x-public: "yes"` or `1` is not an allowlist (an extension's
        // value is unchecked by every validator, so a loose reading would hide typos).
        // `entry`, not `field`: openapi-types names no extensions (own property only, as always).
        ...(entry(op, 'x-public').value === true ? { publicOnPurpose: true as const } : {}),
      };
      operations.push(summary === undefined ? operation : { ...operation, summary });
    }
  }
  operations.sort((a, b) => compareCodeUnits(a.path, b.path) || methodRank(a.method) - methodRank(b.method));

  const info = field(root, 'info');
  const serverUrls = version === '2.0' ? serversV2(root) : serversV3(root);
  const model: SecurityModel = {
    ...(rootAuth ? { rootAuth } : {}),
    file: spec.file,
    version,
    title: stringAt(info, 'title') ?? '',
    apiVersion: stringAt(info, 'version') ?? '',
    basePath: version === '2.0' ? cleanBasePath(stringAt(root, 'basePath') ?? '') : basePathOf(serverUrls[0]),
    serverUrls,
    schemes,
    operations,
  };
  return { model, diagnostics: ctx.diagnostics, rejectedSchemes: ctx.rejectedSchemes };
}

function detectVersion(root: Document): SpecVersion | undefined {
  const swagger = field(root, 'swagger').value;
  if (swagger === '2.0' || swagger === 2) return '2.0';
  const v = field(root, 'openapi').value;
  if (typeof v !== 'string') return undefined;
  if (/^3\.0(\.|$)/.test(v)) return '3.0';
  if (/^3\.1(\.|$)/.test(v)) return '3.1';
  return undefined;
}

function serversV3(root: Document): string[] {
  const servers = field(root, 'servers');
  if (!Array.isArray(servers.value)) return [];
  const urls: string[] = [];
  for (let i = 0; i < servers.value.length; i++) {
    const server = entry(servers, i);
    const url = stringAt(server, 'url');
    if (!isRecord(server.value) || url === undefined) continue;
    // Substitute server variables with their defaults (OpenAPI 3 §4.8.6).
    const vars = field(server, 'variables');
    urls.push(
      url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
        const v = isRecord(vars.value) ? stringAt(entry(vars, name), 'default') : undefined;
        return v ?? whole;
      }),
    );
  }
  return urls;
}

function serversV2(root: Document): string[] {
  const host = stringAt(root, 'host');
  if (!host) return [];
  const schemesValue = field(root, 'schemes').value;
  const schemes = Array.isArray(schemesValue) ? schemesValue.filter((s): s is string => typeof s === 'string') : ['https'];
  const basePath = stringAt(root, 'basePath') ?? '';
  return schemes.map((s) => `${s}://${host}${basePath}`);
}

function basePathOf(url: string | undefined): string {
  if (url === undefined) return '';
  let pathname: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      pathname = new URL(url).pathname;
    } catch {
      return '';
    }
  } else if (url.startsWith('//')) {
    const slash = url.indexOf('/', 2);
    pathname = slash === -1 ? '' : url.slice(slash);
  } else {
    pathname = url;
  }
  return cleanBasePath(pathname);
}

function cleanBasePath(p: string): string {
  if (p.includes('{')) return ''; // an unresolved server variable: no fixed prefix
  const withSlash = p.startsWith('/') ? p : p === '' ? '' : '/' + p;
  return withSlash.replace(/\/+$/, '');
}
