// `codegen keys new` prints a new API key once, with the record a store keeps (its
// public id and SHA-256 hash, never the key); `codegen keys pattern` prints the rule
// secret scanners need to catch a committed key (a gitleaks rule, a GitHub custom
// pattern, or the bare regex).
import { isApiKeyPrefix, newApiKey, patternSource } from '../../keys/format.js';
import { EXIT, UsageError, type Io } from '../io.js';

function checkedPrefix(prefix: string): string {
  if (!isApiKeyPrefix(prefix)) throw new UsageError(`--prefix ${JSON.stringify(prefix)}: lower-case letters and digits in _-separated words, at most 32 characters (e.g. acme_live)`);
  return prefix;
}

export function runKeysNew(flags: { prefix: string; app: readonly string[]; json: boolean }, io: Io): number {
  const { key, id, hash, prefix } = newApiKey(checkedPrefix(flags.prefix));
  const record = { id, prefix, hash, apps: [...flags.app], createdAt: new Date().toISOString() };
  if (flags.json) {
    io.out(JSON.stringify({ key, record }, null, 2));
  } else {
    io.out(`key (shown once; give it to its owner, store only the record): ${key}`);
    io.out(`record: ${JSON.stringify(record)}`);
  }
  return EXIT.ok;
}

export function runKeysPattern(flags: { prefix: string; format: 'regex' | 'gitleaks' | 'github' }, io: Io): number {
  const prefix = checkedPrefix(flags.prefix);
  const regex = patternSource(prefix);
  if (flags.format === 'gitleaks') {
    io.out(['[[rules]]', `id = "${prefix.replace(/_/g, '-')}-api-key"`, `description = "${prefix} API key (openapi-security-codegen format)"`, `regex = '''${regex}'''`, `keywords = ["${prefix}_"]`].join('\n'));
  } else if (flags.format === 'github') {
    io.out(JSON.stringify({ name: `${prefix} API key`, secret_format: `${prefix}_[0-9A-Za-z]{12}_[0-9A-Za-z]{28}`, before_secret: '\\A|[^0-9A-Za-z_]', after_secret: '\\z|[^0-9A-Za-z_]' }, null, 2));
  } else {
    io.out(regex);
  }
  return EXIT.ok;
}
