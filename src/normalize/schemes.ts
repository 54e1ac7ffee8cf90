// Security scheme objects -> IR schemes. The one place that knows both the
// Swagger 2.0 shapes (`type: basic`, oauth2 `flow`) and the 3.x shapes.
import type { OpenAPIV2, OpenAPIV3 } from 'openapi-types';
import type { Located } from '../load/load.js';
import type { OAuthFlow, OAuthFlowKind, Scheme, SchemeBody, SpecVersion } from '../ir/types.js';
import { isHttpToken } from '../shared/http.js';
import { compareCodeUnits } from '../shared/order.js';
import { entry, field, isRecord, keysOf, originOf, stringAt, type NormalizeContext, type Raw } from './context.js';

// Shapes the readers below may ask fields of (3.1 reuses 3.0's scheme object).
type SchemeObject = OpenAPIV2.SecuritySchemeObject | OpenAPIV3.SecuritySchemeObject;
type SchemeMap = OpenAPIV2.SecurityDefinitionsObject | NonNullable<OpenAPIV3.ComponentsObject['securitySchemes']>;
type V3Flows = OpenAPIV3.OAuth2SecurityScheme['flows'];
/** Where flow fields live: the 2.0 scheme object itself, or one 3.x flow object. */
type FlowObject = OpenAPIV2.SecuritySchemeOauth2 | NonNullable<V3Flows[keyof V3Flows]>;

/** Swagger 2.0 flow names -> OpenAPI 3 flow names. */
const V2_FLOWS: Record<string, OAuthFlowKind> = {
  implicit: 'implicit',
  password: 'password',
  application: 'clientCredentials',
  accessCode: 'authorizationCode',
};
const V3_FLOWS: readonly OAuthFlowKind[] = ['implicit', 'password', 'clientCredentials', 'authorizationCode'];

export async function normalizeSchemes(ctx: NormalizeContext, mapNode: Raw<SchemeMap>, version: SpecVersion): Promise<Scheme[]> {
  const out: Scheme[] = [];
  for (const id of keysOf(mapNode)) {
    const resolved = await ctx.resolve(entry(mapNode, id));
    if (!resolved) {
      ctx.rejectedSchemes.add(id);
      continue;
    }
    // The version says which shape the object has (its fields are read, never trusted).
    const body = version === '2.0' ? schemeV2(ctx, id, resolved as Raw<OpenAPIV2.SecuritySchemeObject>) : schemeV3(ctx, id, resolved as Raw<OpenAPIV3.SecuritySchemeObject>, version);
    if (!body) {
      ctx.rejectedSchemes.add(id);
      continue;
    }
    const description = stringAt(resolved, 'description');
    const scheme: Scheme = { ...body, id, origin: originOf(entry(mapNode, id)) };
    out.push(description === undefined ? scheme : { ...scheme, description });
  }
  return out.sort((a, b) => compareCodeUnits(a.id, b.id));
}

function schemeV2(ctx: NormalizeContext, id: string, node: Raw<OpenAPIV2.SecuritySchemeObject>): SchemeBody | undefined {
  const type = stringAt(node, 'type');
  switch (type) {
    case 'basic':
      return { kind: 'http', scheme: 'basic' };
    case 'apiKey':
      return apiKey(ctx, id, node);
    case 'oauth2': {
      const flowName = stringAt(node, 'flow');
      const flow = flowName === undefined ? undefined : V2_FLOWS[flowName];
      if (!flow || !Object.prototype.hasOwnProperty.call(V2_FLOWS, flowName!)) {
        ctx.report('invalid-scheme', 'error', originOf(field(node, 'flow')), `oauth2 scheme "${id}" has no valid \`flow\` (implicit, password, application, accessCode)`, id);
        return undefined;
      }
      return { kind: 'oauth2', flows: [oauthFlow(ctx, id, node as Raw<OpenAPIV2.SecuritySchemeOauth2>, flow)] };
    }
    default:
      return invalidType(ctx, id, node, type, ['basic', 'apiKey', 'oauth2']);
  }
}

function schemeV3(ctx: NormalizeContext, id: string, node: Raw<OpenAPIV3.SecuritySchemeObject>, version: SpecVersion): SchemeBody | undefined {
  const type = stringAt(node, 'type');
  switch (type) {
    case 'apiKey':
      return apiKey(ctx, id, node);
    case 'http': {
      const raw = stringAt(node, 'scheme');
      if (!raw || !raw.trim()) {
        ctx.report('invalid-scheme', 'error', originOf(field(node, 'scheme')), `http scheme "${id}" has no \`scheme\``, id);
        return undefined;
      }
      const scheme = raw.trim().toLowerCase();
      if (!isHttpToken(scheme)) {
        ctx.report('invalid-scheme', 'error', originOf(field(node, 'scheme')), `http scheme "${id}" has an auth-scheme "${raw}" that is not an HTTP token`, id);
        return undefined;
      }
      const bearerFormat = stringAt(node, 'bearerFormat');
      return bearerFormat === undefined ? { kind: 'http', scheme } : { kind: 'http', scheme, bearerFormat };
    }
    case 'oauth2': {
      const flowsNode = field(node, 'flows');
      const flows: OAuthFlow[] = [];
      for (const name of keysOf(flowsNode)) {
        if (!(V3_FLOWS as readonly string[]).includes(name)) continue;
        flows.push(oauthFlow(ctx, id, entry(flowsNode, name), name as OAuthFlowKind));
      }
      if (flows.length === 0) {
        ctx.report('invalid-scheme', 'error', originOf(flowsNode), `oauth2 scheme "${id}" declares no flows`, id);
        return undefined;
      }
      flows.sort((a, b) => V3_FLOWS.indexOf(a.flow) - V3_FLOWS.indexOf(b.flow));
      return { kind: 'oauth2', flows };
    }
    case 'openIdConnect': {
      const url = stringAt(node, 'openIdConnectUrl');
      if (url === undefined) {
        ctx.report('invalid-scheme', 'error', originOf(field(node, 'openIdConnectUrl')), `openIdConnect scheme "${id}" has no \`openIdConnectUrl\``, id);
        return undefined;
      }
      return { kind: 'openIdConnect', url };
    }
    case 'mutualTLS':
      return { kind: 'mutualTLS' };
    default:
      void version;
      return invalidType(ctx, id, node, type, ['apiKey', 'http', 'oauth2', 'openIdConnect', 'mutualTLS']);
  }
}

function invalidType(ctx: NormalizeContext, id: string, node: Located, type: string | undefined, allowed: readonly string[]): undefined {
  const what = type === undefined ? 'has no `type`' : `has unknown type "${type}"`;
  ctx.report('invalid-scheme', 'error', originOf(node), `security scheme "${id}" ${what} (expected one of: ${allowed.join(', ')})`, id);
  return undefined;
}

function apiKey(ctx: NormalizeContext, id: string, node: Raw<SchemeObject>): SchemeBody | undefined {
  const where = stringAt(node, 'in');
  const name = stringAt(node, 'name');
  if (where !== 'header' && where !== 'query' && where !== 'cookie') {
    const what = where === undefined ? 'has no `in`' : `has \`in: ${where}\` (expected header, query or cookie)`;
    ctx.report('invalid-scheme', 'error', originOf(where === undefined ? node : field(node, 'in')), `apiKey scheme "${id}" ${what}`, id);
    return undefined;
  }
  if (name === undefined || name === '') {
    ctx.report('invalid-scheme', 'error', originOf(name === undefined ? node : field(node, 'name')), `apiKey scheme "${id}" has no \`name\``, id);
    return undefined;
  }
  return { kind: 'apiKey', in: where, name };
}

function oauthFlow(ctx: NormalizeContext, id: string, node: Raw<FlowObject>, flow: OAuthFlowKind): OAuthFlow {
  const scopesNode = field(node, 'scopes');
  const scopesDeclared = isRecord(scopesNode.value);
  if (!scopesDeclared) {
    // Reported at the scheme (2.0) or flow (3.x) object: the map itself does not exist.
    ctx.report('oauth2-scopes-missing', 'warning', originOf(node), `oauth2 scheme "${id}" flow ${flow} has no \`scopes\` map`, id);
  }
  const result: { -readonly [K in keyof OAuthFlow]: OAuthFlow[K] } = {
    flow,
    scopes: keysOf(scopesNode).sort(compareCodeUnits),
    scopesDeclared,
  };
  for (const key of ['authorizationUrl', 'tokenUrl', 'refreshUrl'] as const) {
    const v = stringAt(node, key);
    if (v !== undefined) result[key] = v;
  }
  return result;
}
