// The official SARIF 2.1.0 schema (the copy @microsoft/jest-sarif ships; draft-04, hence
// ajv-draft-04) compiled once, for every test that writes SARIF.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { REPO } from './cli.js';

// Both packages are CommonJS with `exports.default`; the default import is `module.exports`.
const Ajv = AjvDraft04.default;
const addFormats = addFormatsModule.default;
const SCHEMA = JSON.parse(readFileSync(path.join(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
// unicodeRegExp off: the schema's `language` pattern has a stray `]`, legal only without the `u` flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);

/** The compiled validator: `validateSarif(log)` is true for a valid log, else `validateSarif.errors` says why. */
export const validateSarif = ajv.compile(SCHEMA);
