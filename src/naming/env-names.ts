// Scheme names -> environment variable base names for the client's
// credentialsFromEnv(): SCREAMING_SNAKE_CASE, unique per spec, stable.
import type { Scheme } from '../ir/types.js';
import { compareCodeUnits } from '../shared/order.js';

export function toScreamingSnake(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    // An acronym ends where a capitalised word starts (APIKey -> API_KEY), but a lone
    // capital is part of the word (OAuth2 -> OAUTH2, not O_AUTH2).
    .replace(/([A-Z]{2,})([A-Z][a-z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const joined = words.join('_').toUpperCase();
  if (joined === '') return 'CREDENTIAL';
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/**
 * The variables a scheme's credential is read from: `<BASE>` for a single value,
 * `<BASE>_USERNAME` and `<BASE>_PASSWORD` for HTTP Basic, none for mutual TLS (the
 * certificate is configured on the transport). The one place this rule is written:
 * the generated client reads these names from its `envVariables` table.
 */
export function envVariables(scheme: Scheme | undefined, base: string): string[] {
  if (scheme === undefined || scheme.kind === 'mutualTLS') return [];
  if (scheme.kind === 'http' && scheme.scheme === 'basic') return [`${base}_USERNAME`, `${base}_PASSWORD`];
  return [base];
}

/** Map scheme name -> env base name; names that collide get `_2`, `_3`… in code-unit order. */
export function envNames(schemeIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const id of [...schemeIds].sort(compareCodeUnits)) {
    const base = toScreamingSnake(id);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    out.set(id, name);
  }
  return out;
}
