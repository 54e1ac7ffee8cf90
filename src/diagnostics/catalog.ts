// The one table of every diagnostic code and diff change (rule and class): its title,
// cause and fix. docs/diagnostics.md, the SARIF rules' help and `codegen lint --explain`
// are all made from it, and the `satisfies` clauses make a code without an entry a
// compile error (test/unit/catalog.test.ts makes it a test failure too).
// Texts are Markdown-light: `code spans` only, no other markup, no `<` or `|`.
import type { DiagnosticCode, Severity } from './types.js';
import type { ChangeClass, ChangeRule } from '../diff/classes.js';

export interface Explanation {
  /** A short title (SARIF `shortDescription`). */
  readonly title: string;
  /** Why it is reported: what is wrong or what changed, and what it risks. */
  readonly cause: string;
  /** What to do about it. */
  readonly fix: string;
}

const SKIP_DEMOTES = 'With `--skip-invalid` (config `skipInvalid: true`) it is a warning instead and the alternatives naming the scheme are dropped (`alternative-dropped`).';
const accept = (cls: ChangeClass, rule: ChangeRule): string => `If intended, have it reviewed and record it in the accept file (config \`accept\`): an entry with the operation, \`"class": "${cls}"\`, \`"rule": "${rule}"\`, a reason and an \`expires\` date.`;

export const DIAGNOSTIC_DOCS = {
  'syntax': {
    title: 'Spec file is not valid YAML or JSON',
    cause: 'The spec file cannot be parsed as YAML or JSON; the message gives the parser\'s reason with line and column. Nothing in it can be read, so nothing is generated (exit 2).',
    fix: 'Correct the file at the reported line and column.',
  },
  'not-openapi': {
    title: 'Document is not OpenAPI 2.0, 3.0 or 3.1',
    cause: 'The document is not an object, or declares neither `swagger: "2.0"` nor `openapi: 3.0.x` / `3.1.x`. codegen reads the security section of those versions only, so it cannot tell what this document requires.',
    fix: 'Point `--spec` (or the config\'s `spec`) at the OpenAPI document itself, and start it with `openapi: 3.1.0` (or `3.0.x`, or `swagger: "2.0"`).',
  },
  'io': {
    title: 'Spec file cannot be read',
    cause: 'The spec file is missing or unreadable, is not a regular file (a folder, device, FIFO or socket), is larger than 64 MiB, or reading and parsing it took longer than 30 s. The limits keep an untrusted spec from stalling or exhausting the machine that runs codegen.',
    fix: 'Check the path given by `--spec` or the config\'s `spec`, and the file\'s permissions. The limits are fixed: make a larger spec smaller, e.g. move schemas into `$ref`\'d files (codegen reads a `$ref`\'d file only when security needs it).',
  },
  'unresolved-ref': {
    title: 'A `$ref` that security needs cannot be resolved',
    cause: 'A `$ref` the security model needs (a security scheme, a path item, an operation) points to a missing file, to nothing at its JSON pointer, to a URL (never fetched), to a file that is not YAML or JSON, or is circular or not a string. The security of what it stands for is unknown, so generation refuses.',
    fix: 'Correct the `$ref` at the reported pointer (file name and fragment, e.g. `$ref: \'./auth.yaml#/ApiKey\'`), or copy a remote definition into a local file and `$ref` that.',
  },
  'ref-refused': {
    title: 'A `$ref` names a file codegen will not read',
    cause: 'A `$ref` the security model needs names a file that is not a regular file (a folder, device, FIFO or socket), is larger than 64 MiB, or lies outside the spec\'s folder once symlinks are resolved; or reading the spec and its referenced files took longer than 30 s in total. A spec is untrusted input: a `$ref` must not make codegen read arbitrary files of the machine it runs on.',
    fix: 'Move the file into the spec\'s folder, or allow its folder in the config: `"allowRefsOutside": ["../shared"]` (relative to the config file). Replace a symlinked or special file with a regular one.',
  },
  'undefined-scheme': {
    title: 'Security requirement names an undefined scheme',
    cause: `A security requirement names a scheme that \`components.securitySchemes\` (2.0: \`securityDefinitions\`) does not define. No guard can check a credential it knows nothing about, and an AND requirement is never weakened to the members that exist, so generation refuses. ${SKIP_DEMOTES}`,
    fix: 'Correct the name (the message suggests the closest defined one) or define the scheme: `components: { securitySchemes: { ApiKey: { type: apiKey, in: header, name: X-API-Key } } }`.',
  },
  'invalid-scheme': {
    title: 'Security scheme definition is invalid',
    cause: `A scheme has no or an unknown \`type\`; an apiKey has no \`name\` or an \`in\` other than \`header\`, \`query\` or \`cookie\`; an http scheme has no \`scheme\` or one that is not an HTTP token; an oauth2 scheme has no known flow (2.0: \`flow\` other than \`implicit\`, \`password\`, \`application\`, \`accessCode\`); an openIdConnect scheme has no \`openIdConnectUrl\`. No guard can verify it, so generation refuses. ${SKIP_DEMOTES}`,
    fix: 'Complete the definition at the reported pointer, e.g. `{ type: http, scheme: bearer }` or `{ type: oauth2, flows: { clientCredentials: { tokenUrl: \'https://auth.example.com/token\', scopes: {} } } }`.',
  },
  'invalid-header-name': {
    title: 'apiKey header name is not a valid HTTP field name',
    cause: `An apiKey scheme with \`in: header\` names a header that is not a valid HTTP field name (RFC 9110 §5.1; e.g. it contains a space or a colon). No request can carry it, so the scheme can never be satisfied; generation refuses. ${SKIP_DEMOTES}`,
    fix: 'Use a token as the name, e.g. `name: X-API-Key` (letters, digits and `-`; no spaces or separators).',
  },
  'invalid-security': {
    title: '`security` is not a list of requirement objects',
    cause: 'A root or operation `security` is not an array, an entry is not an object, or a scheme\'s scope list is not an array of strings. Read as no requirement, the operation would be public, so generation refuses rather than guess.',
    fix: 'Write an array of objects that map scheme names to scope lists: `security: [{ ApiKey: [] }, { OAuth2: [read] }]`. `[]` means public; `{}` is the anonymous alternative.',
  },
  'duplicate-operation-id': {
    title: 'Two operations share an operationId',
    cause: 'Two operations have the same `operationId`. Guards, tables and clients are keyed by it, so the two could not be told apart; generation refuses.',
    fix: 'Rename one of them (the message names where the other one is).',
  },
  'undeclared-scope': {
    title: 'Required OAuth2 scope is not declared by the scheme',
    cause: 'A requirement asks for an OAuth2 scope that no flow of the scheme declares in its `scopes` map, usually a typo. The scope is still enforced as written, so tokens carrying only the declared scopes are refused.',
    fix: 'Correct the scope in the requirement, or declare it in the flow: `scopes: { \'pets:write\': Modify pets }`.',
  },
  'oauth2-scopes-missing': {
    title: 'OAuth2 flow has no `scopes` map',
    cause: 'An OAuth2 flow (2.0: the scheme) has no `scopes` map, which the specification requires. It is treated as declaring no scopes, so misspelt scopes in requirements cannot be caught.',
    fix: 'Add the map, empty if the flow has no scopes: `scopes: {}`.',
  },
  'scopes-on-non-oauth-scheme': {
    title: 'Scopes listed for a scheme that is not OAuth2',
    cause: 'In a 2.0 or 3.0 document, a requirement lists scopes (roles) for an apiKey, http or mutualTLS scheme, where only oauth2 and openIdConnect may have them. They are enforced anyway, against the `scopes` of the principal the verifier returns. OpenAPI 3.1 allows roles on any scheme and is not reported.',
    fix: 'If roles are meant, declare `openapi: 3.1.0` and have the verifier return them; otherwise empty the list: `security: [{ ApiKey: [] }]`.',
  },
  'unused-scheme': {
    title: 'Security scheme is defined but never used',
    cause: 'No security requirement, root or operation, names this scheme, so no operation accepts it and no verifier is required for it. Usually a leftover, or a requirement that was meant to name it.',
    fix: 'Name it in the requirements of the operations that should accept it (`security: [{ ThatScheme: [] }]`), or delete the definition.',
  },
  'api-key-in-query': {
    title: 'API key sent in the query string',
    cause: 'An apiKey scheme has `in: query`. URLs, key included, end up in access logs, proxies and browser history, where anyone who reads them can reuse the key.',
    fix: 'Send the key in a header: `{ type: apiKey, in: header, name: X-API-Key }`; keep the query scheme as a second alternative only while clients migrate.',
  },
  'credentials-over-http': {
    title: 'Reusable secret sent to a plain http:// server',
    cause: 'A used Basic or apiKey scheme sends a reusable secret with every request, and a server URL (2.0: `schemes` with `host`) is plain `http://` on a host other than `localhost`, `127.x.x.x` or `[::1]`. Anyone on the network path can read the secret and replay it.',
    fix: 'Serve the API over HTTPS and list `https://` URLs only: `servers: [{ url: \'https://api.example.com\' }]`.',
  },
  'unknown-http-scheme': {
    title: 'http scheme other than basic or bearer',
    cause: 'An http scheme uses an auth-scheme other than `basic` and `bearer` (`digest`, `negotiate`, `HMAC-SHA256`, …). The runtime does not parse it: its verifier receives the raw credentials after the auth-scheme word and must check them entirely.',
    fix: 'Nothing, if intended: make the verifier parse and verify the credentials in full. For a token, use `scheme: bearer`.',
  },
  'oauth2-and-oauth2': {
    title: 'Requirement ANDs several OAuth2/OpenID Connect schemes',
    cause: 'One requirement ANDs two or more oauth2/openIdConnect schemes (Google\'s converted specs do so on every operation). A request carries one Bearer token, so every scheme\'s verifier receives the same token and it must satisfy all of them; honoured as written.',
    fix: 'If either scheme should suffice, list them as separate alternatives: `security: [{ OAuth2: [read] }, { Oidc: [] }]`; if they are one authorization server, merge them into one scheme.',
  },
  'api-key-and-same-name': {
    title: 'AND of apiKey schemes that share one name',
    cause: 'One requirement ANDs apiKey schemes that read the same name from different places (e.g. a header and the query). Honoured as written: a request must carry the key in every one of those places, which clients rarely do.',
    fix: 'If either place was meant, list them as separate alternatives: `security: [{ KeyHeader: [] }, { KeyQuery: [] }]`.',
  },
  'authorization-api-key': {
    title: 'apiKey sent in the Authorization header',
    cause: 'An apiKey scheme reads the `Authorization` header. Its verifier receives the whole header value, any auth-scheme word such as `Bearer` included; it coexists with Basic/Bearer schemes used by other operations.',
    fix: 'Nothing, if intended: strip any prefix in the verifier. For a bearer token, declare `{ type: http, scheme: bearer }` instead.',
  },
  'operation-skipped': {
    title: 'Operation has no enforceable alternative left',
    cause: 'With `--skip-invalid`, every alternative of an operation that requires credentials was dropped, each naming an undefined, invalid or uncarriable scheme, so no credential can authorize it. It stays in the tables, so its route still matches it rather than a parameterised sibling that may require less, and the guard answers every request to it with a fixed 403.',
    fix: 'Fix the scheme problems reported for it (`undefined-scheme`, `invalid-scheme`, `invalid-header-name`), or give it a valid alternative.',
  },
  'alternative-dropped': {
    title: 'Alternative dropped because a scheme is unusable',
    cause: 'With `--skip-invalid` (config `skipInvalid: true`), an alternative (an AND group) names an undefined, invalid or uncarriable scheme, so the whole group is dropped, never weakened to the schemes that exist. The operation keeps its other alternatives (fewer ways in, never more); clients using the dropped one are refused.',
    fix: 'Fix the scheme problems reported as warnings (`undefined-scheme`, `invalid-scheme`, `invalid-header-name`), then stop passing `--skip-invalid` so such problems refuse generation again.',
  },
  'overlapping-paths': {
    title: 'Two paths that routers take as one route',
    cause: 'Two operations of one method have paths that are equal once parameter names are erased (`/u/{id}` and `/u/{name}`, which OpenAPI forbids), a trailing slash is dropped, or letter case is ignored (Express, @koa/router). A request there matches both, so the app-wide guards require every such operation\'s security; only `mountOperations` or `requireAuth` enforce each route\'s own.',
    fix: 'Give the paths one spelling (one parameter name, one case, no trailing slash), or guard each route with `mountOperations` or `requireAuth`.',
  },
  'group-name-collision': {
    title: 'Scheme named like an AND group\'s key',
    cause: 'A security scheme\'s name equals the key of an AND group: the group\'s scheme names in code-unit order joined with ` + ` (e.g. `"ApiKey + AppId"`). The generated `Verifiers` keys each scheme\'s verifier and each group\'s binding check by those names, so one key would mean two things; generation refuses.',
    fix: 'Rename the scheme, in its definition and in every requirement that names it.',
  },
  'no-security': {
    title: 'The spec defines no security requirement',
    cause: 'No root `security` and no operation that requires credentials: every operation is public only because nothing was written, and the generated guard checks nothing. Reported once for the document, not per operation. Usually the requirements were forgotten, even when schemes are defined.',
    fix: 'Declare schemes and requirements, e.g. a root default `security: [{ ApiKey: [] }]` that every operation inherits. If the API is public on purpose, say so with a root `security: []`.',
  },
  'operation-without-security': {
    title: 'Operation without security while others require it',
    cause: 'The operation has no `security` and no root default to inherit, while other operations require credentials: it is public, and an operation left open by mistake (a forgotten admin endpoint) looks exactly like one public on purpose. `generate`, `check` and `report` show the first few and a count; `lint` lists each.',
    fix: 'Give it a requirement (`security: [{ ApiKey: [] }]`, or a root default), or mark it public on purpose: `security: []` on it, `x-public: true` on it, or its id in the config\'s `public` list: `"public": ["getHealth"]`.',
  },
  'unknown-public-operation': {
    title: 'Config `public` list names no operation',
    cause: 'An id in the config\'s `public` list names no operation of the spec (ids are operationIds, or `<method> <path>` for an operation without one): misspelt, or the operation was renamed or removed. It allowlists nothing now, and would silently allowlist a later operation that takes the name.',
    fix: 'Correct it to the operation\'s id (the message suggests the closest one), or remove it from `public`.',
  },
  'accept-invalid': {
    title: 'The accept file of reviewed diff changes is invalid',
    cause: 'The accept file of reviewed diff changes (config `accept`, or `codegen ci --accept`) cannot be read, is not JSON, is not an object with an `accepted` array, or an entry is not an object, lacks `operation`, `class`, `reason` or `expires`, has an unknown key, class or rule (or a rule of another class), or an `expires` that is not a real `YYYY-MM-DD` date or is more than a year ahead. A review record that cannot be read accepts nothing.',
    fix: 'Correct the file at the reported pointer. Shape: `{ "accepted": [{ "operation": "getPet", "class": "weakening", "rule": "became-public", "reason": "…", "expires": "2026-06-30" }] }` (`rule` and `spec` are optional; `expires` at most a year ahead).',
  },
  'accept-expired': {
    title: 'An accept entry has expired',
    cause: 'An accept entry\'s `expires` date (UTC; it holds through that day) has passed. It covers nothing any more, so the change it accepted fails the gate again: an acceptance is a review with a deadline, not a permanent exemption.',
    fix: 'Review the change again; if it still stands, set a new `expires` (and update `reason`), otherwise remove the entry or undo the change.',
  },
  'accept-unmatched': {
    title: 'An accept entry matches no change',
    cause: 'An accept entry added by this change (operation, class, optional rule and spec) matches no change in any spec the diff compared: the change was undone, or the entry is misspelt. An entry the base commit already holds is inherited instead: it covers nothing (it cannot pre-approve a later change) and is only reported for removal.',
    fix: 'Remove the entry, or correct its `operation` (as `codegen diff` prints it; `(servers)` for the API-wide server change), `class` or `rule`.',
  },
  'schema': {
    title: 'Document does not match the OpenAPI schema',
    cause: 'Only with `codegen lint --validate`: the document does not match the official OpenAPI / Swagger JSON schema, or could not be validated. Never checked by `generate`: many real specs fail the schema for reasons unrelated to security.',
    fix: 'Correct the value at the reported pointer, or run `lint` without `--validate` when only the security section matters.',
  },
} as const satisfies Record<DiagnosticCode, Explanation>;

/**
 * The severity each code is reported with (test/unit/catalog.test.ts checks it against
 * the code that reports it). `--skip-invalid` turns the scheme errors into warnings.
 */
export const DEFAULT_SEVERITY = {
  'syntax': 'error',
  'not-openapi': 'error',
  'io': 'error',
  'unresolved-ref': 'error',
  'ref-refused': 'error',
  'undefined-scheme': 'error',
  'invalid-scheme': 'error',
  'invalid-header-name': 'error',
  'invalid-security': 'error',
  'duplicate-operation-id': 'error',
  'undeclared-scope': 'warning',
  'oauth2-scopes-missing': 'warning',
  'scopes-on-non-oauth-scheme': 'warning',
  'unused-scheme': 'warning',
  'api-key-in-query': 'warning',
  'credentials-over-http': 'warning',
  'unknown-http-scheme': 'info',
  'oauth2-and-oauth2': 'warning',
  'api-key-and-same-name': 'warning',
  'authorization-api-key': 'info',
  'operation-skipped': 'warning',
  'alternative-dropped': 'warning',
  'overlapping-paths': 'warning',
  'group-name-collision': 'error',
  'no-security': 'warning',
  'operation-without-security': 'warning',
  'unknown-public-operation': 'warning',
  'accept-invalid': 'error',
  'accept-expired': 'error',
  'accept-unmatched': 'error',
  'schema': 'error',
} as const satisfies Record<DiagnosticCode, Severity>;

const RANKS = 'mutualTLS, then oauth2 and openIdConnect, then http schemes other than basic (bearer, …), then http basic and apiKey';

export const CHANGE_RULE_DOCS = {
  'became-public': {
    title: 'Operation became public',
    cause: 'The operation required credentials (or admitted anonymous callers beside them) and is now public: its `security` is `[]`, or no requirement applies to it any more (its own was removed with no root default left, or the root default it inherited was removed). Anyone can call it now.',
    fix: `If unintended, restore the requirement on the operation or the root default. ${accept('weakening', 'became-public')}`,
  },
  'became-optional': {
    title: 'Operation now admits anonymous callers',
    cause: 'The anonymous alternative `{}` was added to the operation\'s `security`: callers without any credential are now let in.',
    fix: `If unintended, remove the \`{}\` entry. ${accept('weakening', 'became-optional')}`,
  },
  'alternative-added': {
    title: 'Alternative added: one more way in',
    cause: 'An OR alternative (a requirement object) was added that no old alternative implies: a caller who meets only the new one, e.g. holds just that API key, is now let in.',
    fix: `If unintended, remove the alternative. ${accept('weakening', 'alternative-added')} Its schemes need verifiers.`,
  },
  'and-scheme-removed': {
    title: 'Scheme removed from an AND requirement',
    cause: 'A scheme was removed from an AND set (a requirement object naming several schemes): the remaining schemes now suffice, so callers no longer need the removed credential (e.g. an API key without its App ID).',
    fix: `If unintended, put the scheme back into the requirement. ${accept('weakening', 'and-scheme-removed')}`,
  },
  'scope-removed': {
    title: 'Required scope removed',
    cause: 'A scheme in a requirement no longer requires one or more scopes: tokens or principals without them are now let in.',
    fix: `If unintended, restore the scope list, e.g. \`security: [{ OAuth2: [pets:write] }]\`. ${accept('weakening', 'scope-removed')}`,
  },
  'scheme-weaker': {
    title: 'Scheme changed to a weaker kind',
    cause: `A scheme the operation uses kept its name but changed to a weaker kind (strongest first: ${RANKS}); e.g. oauth2 to apiKey replaces short-lived tokens with a static shared secret.`,
    fix: `If unintended, restore the scheme's definition. ${accept('weakening', 'scheme-weaker')}`,
  },
  'new-public-operation': {
    title: 'New operation reachable without credentials',
    cause: 'An operation was added that is public or admits anonymous callers (`{}`), while the API requires credentials elsewhere (a root default or another operation). A new endpoint anyone can call, often because its `security` was forgotten.',
    fix: `If unintended, give it a requirement (or drop its \`security: []\` so the root default applies). ${accept('weakening', 'new-public-operation')}`,
  },
  'credential-endpoint-changed': {
    title: 'OAuth2 / OpenID Connect endpoint URL changed',
    cause: 'A `tokenUrl`, `authorizationUrl` or `refreshUrl` of an OAuth2 flow present in both versions, or an `openIdConnectUrl`, changed. Nobody\'s access changes, but generated clients now send client credentials, codes or refresh tokens (and users their sign-in) to the new URL; a wrong or hostile URL collects them.',
    fix: `Check that the new URL belongs to your authorization server and uses https. ${accept('endpoint-changed', 'credential-endpoint-changed')}`,
  },
  'server-origin-changed': {
    title: 'Server origin changed',
    cause: 'The first server\'s origin (scheme, host and port; 2.0: `schemes` and `host`) or the set of server origins changed. A generated client sends requests, and so credentials, to the first server by default: a wrong or foreign origin receives them. Reported once for the whole API, as operation `(servers)`.',
    fix: `Check that the new origins are yours and use https. ${accept('endpoint-changed', 'server-origin-changed')} Its operation is \`(servers)\`.`,
  },
  'no-longer-public': {
    title: 'Operation no longer public',
    cause: 'A public operation now has a security requirement: callers without credentials are refused.',
    fix: 'Nothing for security. Tell its anonymous callers they now need credentials.',
  },
  'no-longer-optional': {
    title: 'Operation no longer admits anonymous callers',
    cause: 'The anonymous alternative `{}` was removed from the operation\'s `security`: callers without credentials are now refused.',
    fix: 'Nothing for security. Tell its anonymous callers they now need credentials.',
  },
  'and-scheme-added': {
    title: 'Scheme added to an AND requirement',
    cause: 'A scheme was added to an AND set: callers must now also present that credential, and those who do not are refused.',
    fix: 'Nothing for security. Implement the new scheme\'s verifier and the group\'s binding check, and give clients the new credential.',
  },
  'scope-added': {
    title: 'Required scope added',
    cause: 'A scheme in a requirement now requires more scopes: tokens or principals without them are refused.',
    fix: 'Nothing for security. Make sure clients request the new scopes and the authorization server grants them.',
  },
  'scheme-stronger': {
    title: 'Scheme changed to a stronger kind',
    cause: `A scheme the operation uses kept its name but changed to a stronger kind (strongest first: ${RANKS}). Clients holding the old kind of credential are refused.`,
    fix: 'Nothing for security. Implement the new verifier and move clients to the new credential.',
  },
  'public-operation-removed': {
    title: 'Operation reachable without credentials removed',
    cause: 'An operation that was public or admitted anonymous callers, while the API required credentials elsewhere, was removed: one way in without credentials fewer.',
    fix: 'Nothing for security. Make sure no client still calls it.',
  },
  'key-moved': {
    title: 'API key moved to another place',
    cause: 'An apiKey scheme\'s `in` changed (header, query or cookie). Access is the same, but clients built from the old spec send the key where the server no longer reads it, and are refused.',
    fix: 'Regenerate clients and deploy them with the server, or keep a scheme for the old place as a second alternative while clients migrate.',
  },
  'key-renamed': {
    title: 'API key parameter renamed',
    cause: 'An apiKey scheme\'s `name` changed (for a header, other than in letter case). Clients built from the old spec send the key under the old name, and are refused.',
    fix: 'Regenerate clients and deploy them with the server, or keep a scheme with the old name as a second alternative while clients migrate.',
  },
  'scheme-renamed': {
    title: 'Security scheme renamed',
    cause: 'A scheme the operation used disappeared while exactly one scheme with an identical definition appeared. Access is unchanged, but generated code is keyed by scheme name: credentials passed to the client and verifiers given to the guard under the old name no longer match.',
    fix: 'Regenerate, and rename the scheme where your code names it (client credentials, the `Verifiers` object); or keep the old name.',
  },
  'scheme-changed': {
    title: 'Scheme changed to another kind of equal strength',
    cause: `A scheme the operation uses kept its name but changed to another kind of the same rank (strongest first: ${RANKS}), e.g. apiKey to http basic or oauth2 to openIdConnect. Clients send the old kind of credential and are refused.`,
    fix: 'Implement the new verifier, regenerate clients, and give callers the new kind of credential.',
  },
  'alternative-removed': {
    title: 'Alternative removed',
    cause: 'An OR alternative was removed from the operation\'s `security`. Nobody gains access, but clients that authenticate only with the removed alternative are refused.',
    fix: 'Move clients off the removed alternative before the server change ships, then regenerate them.',
  },
  'alternatives-reordered': {
    title: 'Alternatives reordered',
    cause: 'The operation\'s OR alternatives are the same but in another order. The first alternative that verifies wins, so a request that meets several may now be authorized by another one (another scheme and principal); nobody gains or loses access.',
    fix: 'Nothing, unless handlers depend on which alternative authorized the request (`AuthSuccess.alternative`).',
  },
  'alternative-added-implied': {
    title: 'Alternative added that grants nothing new',
    cause: 'An OR alternative was added, but an old alternative asks for a subset of its schemes and scopes: anyone who meets the new one already met the old one, so there is no new way in.',
    fix: 'Nothing to do; the new alternative may be redundant.',
  },
  'source-changed': {
    title: 'Same security, now taken from elsewhere',
    cause: 'The operation\'s security is unchanged but now comes from the root default instead of its own `security`, or the reverse (reported only when nothing else changed). A later change to the root default will now, or will no longer, apply to it.',
    fix: 'Nothing to do; check that the operation should (or should not) follow the root default.',
  },
  'description-changed': {
    title: 'Scheme description changed',
    cause: 'A scheme\'s `description` changed: documentation only.',
    fix: 'Nothing to do.',
  },
  'scheme-details-changed': {
    title: 'Scheme details changed',
    cause: 'A scheme\'s definition changed in details that neither change access nor move an existing endpoint: declared scopes, flows added or removed, `bearerFormat`, or the letter case of an apiKey header name (header names are case-insensitive). The message names the fields.',
    fix: 'Nothing to do; for a new OAuth2 flow, check its URLs, since that flow\'s credentials go there.',
  },
  'operation-added': {
    title: 'Operation added',
    cause: 'A new operation that requires credentials, or one reachable without credentials in an API that requires them nowhere else. Nobody gains access to anything that existed before.',
    fix: 'Nothing to do; check that its requirement is the intended one.',
  },
  'operation-removed': {
    title: 'Operation removed',
    cause: 'An operation was removed that required credentials, or was reachable without credentials in an API that required them nowhere else.',
    fix: 'Nothing for security. Make sure no client still calls it.',
  },
  'operation-moved': {
    title: 'Operation moved to another method or path',
    cause: 'An operation kept its operationId but has another method or path. Any change to its security is reported separately; clients built from the old spec call the old route.',
    fix: 'Regenerate clients and deploy them with the server.',
  },
  'operation-renamed': {
    title: 'Operation renamed on the same route',
    cause: 'The same method and path now has another operationId. Operations are paired by route first, so its security is still compared with the old version; but code that names operation ids (verifiers, accept file entries, the public list, generated clients) sees a new name.',
    fix: 'Update whatever refers to the old id: accept file entries, the config\'s public list, clients and handlers.',
  },
} as const satisfies Record<ChangeRule, Explanation>;

export const CHANGE_CLASS_DOCS = {
  'weakening': {
    title: 'Someone gets in who did not before',
    cause: 'A change that lets in callers who were refused before: an operation became public or optional, an alternative was added, a scheme left an AND set, a scope was removed, a scheme became a weaker kind, or a new operation is reachable without credentials. Fails `codegen diff` by default.',
    fix: 'Review each change and undo the unintended ones. Record an intended one in the accept file (config `accept`): `{ "accepted": [{ "operation": "getPet", "class": "weakening", "reason": "…", "expires": "2026-06-30" }] }`.',
  },
  'endpoint-changed': {
    title: 'Credentials now go to another place',
    cause: 'An OAuth2 token, authorization or refresh URL, an OpenID Connect discovery URL, or the servers\' origin changed. Nobody\'s access changes, but generated clients send their secrets somewhere else, which one edit to a spec can point at an attacker. Fails `codegen diff` by default.',
    fix: 'Check that every new URL is yours and uses https, then record the change in the accept file with `"class": "endpoint-changed"` (operation `(servers)` for the server origin).',
  },
  'client-breaking': {
    title: 'Same security, but existing clients break',
    cause: 'Nobody gains access, but clients generated from the old spec send credentials wrongly: a key moved or was renamed, a scheme was renamed or changed kind, or an alternative was removed. Fails `codegen diff` only when named, e.g. `--fail-on weakening,endpoint-changed,client-breaking`.',
    fix: 'Ship regenerated clients with (or before) the server change, or keep the old form as an alternative while clients migrate.',
  },
  'strengthening': {
    title: 'Someone who got in is now refused',
    cause: 'A change that refuses callers who got in before, for a reason the spec gives: no longer public or optional, a scheme added to an AND set, a scope added, a stronger scheme kind, or an operation reachable without credentials removed. Safe, but it may break callers. Fails `codegen diff` only when named in `--fail-on`.',
    fix: 'Nothing for security. Tell callers what they need now.',
  },
  'neutral': {
    title: 'Worth knowing: nobody gains or loses access',
    cause: 'Changes that alter no one\'s access: alternatives reordered, an implied alternative added, security taken from elsewhere, a description or scheme detail changed, an operation added, removed or moved. Fails `codegen diff` only when named in `--fail-on`.',
    fix: 'Nothing to do; skim them in review.',
  },
} as const satisfies Record<ChangeClass, Explanation>;

export type ExplainedKind = 'diagnostic' | 'change-rule' | 'change-class';

/** The entry for a diagnostic code, change rule or change class; `undefined` for an unknown code. */
export function explain(code: string): (Explanation & { readonly kind: ExplainedKind; readonly code: string }) | undefined {
  const own = (table: object): Explanation | undefined => (Object.prototype.hasOwnProperty.call(table, code) ? (table as Record<string, Explanation>)[code] : undefined);
  const d = own(DIAGNOSTIC_DOCS);
  if (d) return { kind: 'diagnostic', code, ...d };
  const r = own(CHANGE_RULE_DOCS);
  if (r) return { kind: 'change-rule', code, ...r };
  const c = own(CHANGE_CLASS_DOCS);
  if (c) return { kind: 'change-class', code, ...c };
  return undefined;
}
