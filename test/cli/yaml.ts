// YAML for tests, through js-yaml (swagger-parser's own YAML parser, so no extra dependency).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const yaml = require(require.resolve('js-yaml', { paths: [require.resolve('@apidevtools/json-schema-ref-parser')] })) as { load(s: string): unknown; dump(v: unknown): string };
export const parse = (s: string): unknown => yaml.load(s);
export const stringify = (v: unknown): string => yaml.dump(v);
