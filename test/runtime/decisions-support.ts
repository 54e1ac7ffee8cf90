// Imports for decisions.test.ts from the runtime sources.
export { createGuardFromTables, independent, pathDecider, type DecisionEvent, type GuardOptions } from '../../templates/runtime/runtime-server.js';
import { generateApiKey } from '../../templates/runtime/runtime-api-keys.js';

export function generateApiKeyForTest(prefix: string): { key: string; id: string } {
  return generateApiKey({ prefix });
}
