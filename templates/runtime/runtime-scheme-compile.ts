// A scheme as the guard uses it, compiled once per `createGuard` from its table row:
// where its credential comes from (a `Source`), the name it is read under, where a
// problem body says it goes, and its `WWW-Authenticate` challenge.
import type { SchemeSpec } from './runtime-tables.js';
import { httpSchemeSpelling, isHttpToken, quote } from './runtime-http-schemes.js';
import { SRC_AUTH_RAW, SRC_BASIC, SRC_BEARER, SRC_COOKIE, SRC_HEADER, SRC_HTTP_OTHER, SRC_QUERY, SRC_TLS, type CompiledScheme } from './runtime-plan.js';

/**
 * The same string as a property key holds it. V8 keeps one copy of each key
 * (internalized), and so do header records, whose keys `readHeader` compares with the
 * scheme's: between two such copies `===` is a pointer test, where a copy made by
 * `toLowerCase` was compared character by character (measured). Any engine returns an
 * equal string.
 */
function asKey(s: string): string {
  return Object.keys({ [s]: 0 })[0] as string;
}

export function compileScheme(name: string, spec: SchemeSpec, verifier: CompiledScheme['verifier'], realmParam: string): CompiledScheme {
  const base = { name, verifier };
  switch (spec.kind) {
    case 'apiKey': {
      const lower = spec.name.toLowerCase();
      const source = spec.in === 'query' ? SRC_QUERY : spec.in === 'cookie' ? SRC_COOKIE : lower === 'authorization' ? SRC_AUTH_RAW : SRC_HEADER;
      return {
        ...base,
        source,
        key: asKey(spec.in === 'header' ? lower : spec.name),
        location: Object.freeze({ scheme: name, in: spec.in, name: spec.name }),
        // No registered challenge exists for API keys. We send a custom `APIKey`
        // challenge (RFC 9110 §11.6.1 allows any token as auth-scheme) whose params
        // tell the client where the key goes, e.g.
        // `APIKey realm="api", in="header", name="X-API-Key"`. Clients that do not
        // know it ignore it, as RFC 9110 §11.6.1 requires.
        challenge: `APIKey ${realmParam}, in=${quote(spec.in)}, name=${quote(spec.name)}`,
        bearerFamily: false,
        sentAs: undefined,
      };
    }
    case 'http': {
      const word = spec.scheme.toLowerCase();
      const written = httpSchemeSpelling(word);
      // A scheme word that is not a token can neither be challenged nor sent as written.
      const token = isHttpToken(word);
      const source = word === 'bearer' ? SRC_BEARER : word === 'basic' ? SRC_BASIC : SRC_HTTP_OTHER;
      return {
        ...base,
        source,
        key: word,
        location: Object.freeze({ scheme: name, in: 'authorization' as const, name: written }),
        challenge: token ? `${written} ${realmParam}` : undefined,
        bearerFamily: source === SRC_BEARER,
        sentAs: token ? written : undefined,
      };
    }
    case 'oauth2':
    case 'openIdConnect':
      // RFC 6749 §7.1 / OIDC Core §5.3: access tokens travel as RFC 6750 Bearer tokens.
      return {
        ...base,
        source: SRC_BEARER,
        key: 'bearer',
        location: Object.freeze({ scheme: name, in: 'authorization' as const, name: 'Bearer' }),
        challenge: `Bearer ${realmParam}`,
        bearerFamily: true,
        sentAs: 'Bearer',
      };
    case 'mutualTLS':
      return {
        ...base,
        source: SRC_TLS,
        key: '',
        location: Object.freeze({ scheme: name, in: 'tls' as const, name: 'client-certificate' }),
        challenge: undefined,
        bearerFamily: false,
        sentAs: undefined,
      };
  }
}
