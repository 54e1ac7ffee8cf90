// Public entry of the server runtime: users and adapters import from here. It holds
// no logic of its own; each concept lives in its own file (see docs/ARCHITECTURE.md):
// types, request views, plans, extraction, the evaluator, problems, route binding
// and the adapters' decisions. No node imports: it also runs in workers behind the
// Fetch adapter.
export * from './runtime-types.js';
export type { AuthRequest, CertificateName, ClientCertificate, CookieRecord, HeaderRecord, HeadersLike, NodeRequestLike, QueryLike, QueryRecord } from './runtime-request.js';
export { authRequestFromFetch, authRequestFromNode, clientAddressOfNode, clientCertificateOf } from './runtime-request.js';
export { resolveClientAddress, type ClientAddressOptions, type TrustProxy } from './runtime-address.js';
export type { OperationRoute, RouteSyntax } from './runtime-bind.js';
export { mountOrder, routePattern } from './runtime-bind.js';
export { routeCoverage, type AppRoute, type RouteCoverage } from './runtime-coverage.js';
export { createGuardFromTables } from './runtime-evaluate.js';
export { parseApiKey, apiKeyPattern } from './runtime-key-format.js';
export {
  AMBIGUOUS_ROUTE_DETAIL,
  GuardError,
  METHOD_OVERRIDE_DETAIL,
  NONE_SENT,
  NOT_ACCEPTED,
  OTHERS_SENT,
  PROBLEM_CONTENT_TYPE,
  RATE_LIMITED_DETAIL,
  ROUTE_MISMATCH_DETAIL,
  UNAVAILABLE_DETAIL,
  UNKNOWN_ROUTE_DETAIL,
  VERIFIER_ERROR_DETAIL,
  guardError,
  problemResponseParts,
  routeMismatchParts,
  throwGuardError,
  verifierErrorParts,
  type ResponseParts,
} from './runtime-problem.js';
export {
  decide,
  NO_CORS_MIDDLEWARE,
  operationDecider,
  pathAdapterFeatures,
  pathDecider,
  routeCheck,
  routeDecider,
  RouteMismatchError,
  type Decision,
  type RequestDecider,
  type RouteDecider,
} from './runtime-decide.js';
