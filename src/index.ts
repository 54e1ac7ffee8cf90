// Public API: the pipeline as functions, config helpers, and the IR and diagnostic types.
export { buildModel, generate, VERSION, type GenerateOptions, type GenerateResult, type ModelResult } from './pipeline.js';
export { defineConfig, type Config, type SpecConfig } from './config/config.js';
export { writeOutput, type WriteResult } from './write/write.js';
export { emit, SERVER_ADAPTERS, CLIENT_INTEGRATIONS, type ServerAdapter, type ClientIntegration } from './emit/index.js';
export type { FilePlan } from './emit/plan.js';
export type * from './ir/types.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics/types.js';
