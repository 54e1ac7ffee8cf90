// The normalized security model (IR). Everything downstream of normalize/ reads
// only these types: every Swagger 2.0 / OpenAPI 3.0 / 3.1 difference is settled
// before a value of these types exists.

/** RFC 6901 JSON pointer into the file named by the node's `file`. */
export type Pointer = string;

/** Where a node came from: the file (relative to the working directory) and pointer. */
export interface Origin {
  readonly file: string;
  readonly at: Pointer;
}

export type OAuthFlowKind = 'implicit' | 'password' | 'clientCredentials' | 'authorizationCode';

export interface OAuthFlow {
  readonly flow: OAuthFlowKind;
  readonly authorizationUrl?: string;
  readonly tokenUrl?: string;
  readonly refreshUrl?: string;
  /** Declared scope names, sorted (their order carries no meaning). */
  readonly scopes: readonly string[];
  /** False when the spec gave no `scopes` map at all (a spec bug we warn about). */
  readonly scopesDeclared: boolean;
}

export type ApiKeyLocation = 'header' | 'query' | 'cookie';

export type SchemeBody =
  | { readonly kind: 'apiKey'; readonly in: ApiKeyLocation; readonly name: string }
  /** `scheme` is lower-cased: RFC 9110 §11.1 makes auth-scheme names case-insensitive. */
  | { readonly kind: 'http'; readonly scheme: string; readonly bearerFormat?: string }
  | { readonly kind: 'oauth2'; readonly flows: readonly OAuthFlow[] }
  | { readonly kind: 'openIdConnect'; readonly url: string }
  | { readonly kind: 'mutualTLS' };

export type Scheme = SchemeBody & {
  /** The scheme's name exactly as the spec writes it (a map key, never an identifier). */
  readonly id: string;
  readonly origin: Origin;
  readonly description?: string;
};

export type SchemeKind = Scheme['kind'];

/** One member of an AND set. */
export interface Use {
  readonly scheme: string;
  /** Required scopes (3.1: roles for any scheme), sorted, duplicates removed (their order carries no meaning). */
  readonly scopes: readonly string[];
  readonly origin: Origin;
}

/**
 * AND: every use must verify, and a group of two or more schemes must also pass its
 * binding check. Never empty (an empty object is the anonymous alternative).
 */
export interface Requirement {
  /** Members in the order the requirement object writes them. */
  readonly allOf: readonly Use[];
  /**
   * The requirement's index in the `security` array as written, `{}` entries counted
   * (what `AuthSuccess.alternative` reports). Kept when `--skip-invalid` drops others.
   */
  readonly index: number;
  readonly origin: Origin;
}

/** Whether the operation's security came from the root default or the operation itself. */
export type AuthSource = 'root' | 'operation' | 'none';

export type OperationAuth =
  | { readonly kind: 'public'; readonly source: AuthSource; readonly origin: Origin }
  /** OR across `anyOf`, in spec order; `optional` adds the anonymous alternative `{}`. */
  | {
      readonly kind: 'required' | 'optional';
      readonly anyOf: readonly Requirement[];
      /** Index of the first `{}` in the array as written; -1 when `required`. */
      readonly anonymousIndex: number;
      readonly source: AuthSource;
      readonly origin: Origin;
    };

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

export interface Operation {
  /** The spec's operationId, else `"<method> <path>"` (BRIEF §3). */
  readonly id: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly origin: Origin;
  readonly auth: OperationAuth;
  /**
   * `x-public: true` (the boolean, nothing else) on the operation: the author says it is
   * public on purpose, so lint does not report it as `operation-without-security`. A
   * review fact like `origin`: no guard or table reads it, and it stays out of the hash.
   */
  readonly publicOnPurpose?: true;
  readonly summary?: string;
  /**
   * Where the operation stands in the document (0-based, in the order the file writes
   * paths and methods). The model lists operations sorted by path and method; checks
   * report in document order. Like origins, it says where, not what: never hashed.
   */
  readonly position: number;
}

export type SpecVersion = '2.0' | '3.0' | '3.1';

export interface SecurityModel {
  /** The spec file as given, relative to the working directory, `/`-separated. */
  readonly file: string;
  readonly version: SpecVersion;
  readonly title: string;
  readonly apiVersion: string;
  /** Path prefix of the first server URL (2.0: `basePath`), no trailing slash, `''` for none. */
  readonly basePath: string;
  readonly serverUrls: readonly string[];
  /** The root `security` default, when the document has one. */
  readonly rootAuth?: OperationAuth;
  /** Sorted by id (code-unit order). */
  readonly schemes: readonly Scheme[];
  /** Sorted by path, then method order. */
  readonly operations: readonly Operation[];
}
