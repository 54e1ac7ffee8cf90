// SARIF 2.1.0 logs for GitHub code scanning: `lint` diagnostics and `diff` changes as
// results, each rule documented from the catalog (src/diagnostics/catalog.ts). Pure:
// the caller says where each result is (src/report/sarif-locate.ts reads the files),
// so the same input always gives the same bytes.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { CHANGE_CLASS_DOCS, CHANGE_RULE_DOCS, DEFAULT_SEVERITY, DIAGNOSTIC_DOCS, type Explanation } from '../diagnostics/catalog.js';
import { docLink } from '../diagnostics/doc.js';
import { terminalSafe } from '../diagnostics/render.js';
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics/types.js';
import { CHANGE_RULES, classOf, type Change, type ChangeClass, type ChangeRule } from '../diff/classes.js';
import { VERSION } from '../pipeline.js';

export type SarifLevel = 'error' | 'warning' | 'note';

/** Where a result is: a repository-relative, `/`-separated path and a 1-based line and column (UTF-16 code units). */
export interface SarifPlace {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export interface LocatedDiagnostic {
  readonly diagnostic: Diagnostic;
  readonly place: SarifPlace;
}

export interface LocatedChange {
  readonly change: Change;
  /** In the new version (a removed operation: its nearest remaining parent). */
  readonly place: SarifPlace;
  /** The accept file entry that covers the change, when `change.accepted` is set. */
  readonly acceptedAt?: SarifPlace | undefined;
}

export interface SarifContent {
  /**
   * The analysis this log is (`lint`, `diff`, `ci`): code scanning keeps one set of alerts
   * per tool and category, so uploading lint and diff logs must not replace each other.
   */
  readonly category: string;
  readonly diagnostics?: readonly LocatedDiagnostic[];
  readonly changes?: readonly LocatedChange[];
}

// Only the parts of the format this tool writes; the tests check the output against
// the official schema.
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly SarifRun[];
}

export interface SarifRun {
  readonly tool: { readonly driver: SarifDriver };
  readonly automationDetails: { readonly id: string };
  readonly columnKind: 'utf16CodeUnits';
  readonly results: readonly SarifResult[];
}

interface SarifDriver {
  readonly name: string;
  readonly version: string;
  readonly semanticVersion: string;
  readonly informationUri: string;
  readonly rules: readonly SarifRule[];
}

interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string; readonly markdown: string };
  readonly helpUri: string;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: { readonly text: string };
  readonly locations: readonly [SarifLocation];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly suppressions?: readonly SarifSuppression[];
  readonly properties: Readonly<Record<string, unknown>>;
}

interface SarifLocation {
  readonly physicalLocation: {
    readonly artifactLocation: { readonly uri: string; readonly uriBaseId: string };
    readonly region: { readonly startLine: number; readonly startColumn: number };
  };
}

interface SarifSuppression {
  readonly kind: 'external';
  readonly status: 'accepted';
  readonly justification: string;
  readonly location?: SarifLocation;
}

export const TOOL_NAME = 'openapi-security-codegen';
/** The repository's page (package.json `homepage` without its fragment): the driver's `informationUri`. */
export const INFORMATION_URI = (createRequire(import.meta.url)('../../package.json') as { homepage: string }).homepage.replace(/#.*$/, '');
/**
 * The key of this tool's fingerprint in `partialFingerprints`. Versioned: should its
 * recipe ever change, the new key keeps code scanning from matching old alerts wrongly.
 */
export const FINGERPRINT_KEY = 'openapiSecurityCodegen/v1';

const SEVERITY_LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

/** As `--fail-on` defaults: what lets someone in or sends credentials elsewhere is an error. */
export const CLASS_LEVEL: Record<ChangeClass, SarifLevel> = {
  weakening: 'error',
  'endpoint-changed': 'error',
  'client-breaking': 'warning',
  strengthening: 'note',
  neutral: 'note',
};

export function buildSarifLog(content: SarifContent): SarifLog {
  const diagnostics = content.diagnostics ?? [];
  const changes = content.changes ?? [];
  // Only the rules the results use, in the catalog's order (deterministic, and the log
  // stays small); diagnostic codes and change rules share one namespace there.
  const usedCodes = new Set<string>(diagnostics.map((d) => d.diagnostic.code));
  const usedRules = new Set<string>(changes.map((c) => c.change.rule));
  const rules: SarifRule[] = [
    ...(Object.keys(DIAGNOSTIC_DOCS) as DiagnosticCode[]).filter((c) => usedCodes.has(c)).map(diagnosticRule),
    ...CHANGE_RULES.filter((r) => usedRules.has(r)).map(changeRule),
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const fingerprints = new Fingerprints();
  const results: SarifResult[] = [
    ...diagnostics.map(({ diagnostic: d, place }) => ({
      ruleId: d.code,
      ruleIndex: index.get(d.code)!,
      level: SEVERITY_LEVEL[d.severity],
      message: { text: messageText(d.message) },
      locations: [location(place)] as const,
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.next([d.code, place.path, d.pointer, d.subject ?? '']) },
      properties: { file: d.file, pointer: d.pointer, ...(d.subject !== undefined ? { subject: d.subject } : {}) },
    })),
    ...changes.map(({ change: c, place, acceptedAt }) => {
      const op = c.operation.method === '' ? `${c.operation.id} (API-wide)` : `${c.operation.id} (${c.operation.method.toUpperCase()} ${c.operation.path})`;
      const result: SarifResult = {
        ruleId: c.rule,
        ruleIndex: index.get(c.rule)!,
        level: CLASS_LEVEL[c.class],
        message: { text: messageText(`${op}: ${c.message}`) },
        locations: [location(place)] as const,
        partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.next([c.rule, place.path, c.operation.id, (c.new ?? c.old)?.at ?? '']) },
        properties: { class: c.class, operation: c.operation.id, method: c.operation.method, path: c.operation.path, old: c.old, new: c.new },
      };
      if (!c.accepted) return result;
      const suppression: SarifSuppression = {
        kind: 'external',
        status: 'accepted',
        justification: c.accepted.reason,
        ...(acceptedAt ? { location: location(acceptedAt) } : {}),
      };
      // `note`, not the class's level: code scanning does not close alerts for SARIF
      // suppressions, and an accepted change must not block a merge as an error alert.
      return { ...result, level: 'note' as const, suppressions: [suppression], properties: { ...result.properties, acceptedUntil: c.accepted.expires } };
    }),
  ];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: VERSION, semanticVersion: VERSION, informationUri: INFORMATION_URI, rules } },
        // `<category>/`: the category, with an empty run id (the same for every run, so output stays byte-identical).
        automationDetails: { id: `${TOOL_NAME}/${content.category}/` },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function renderSarif(log: SarifLog): string {
  return JSON.stringify(log, null, 2);
}

function diagnosticRule(code: DiagnosticCode): SarifRule {
  return rule(code, DIAGNOSTIC_DOCS[code], SEVERITY_LEVEL[DEFAULT_SEVERITY[code]], { tags: ['security'], severity: DEFAULT_SEVERITY[code] });
}

function changeRule(id: ChangeRule): SarifRule {
  const cls = classOf(id);
  return rule(id, CHANGE_RULE_DOCS[id], CLASS_LEVEL[cls], { tags: ['security'], class: cls, classTitle: CHANGE_CLASS_DOCS[cls].title });
}

function rule(id: string, doc: Explanation, level: SarifLevel, properties: Record<string, unknown>): SarifRule {
  return {
    id,
    // SARIF's `name` is an identifier-like form of the id: became-public -> BecamePublic.
    name: id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: doc.title },
    fullDescription: { text: doc.cause },
    // The catalog's texts are Markdown-light (code spans only), so they go into `markdown` as they are.
    help: { text: `${doc.cause}\n\nFix: ${doc.fix}`, markdown: `${doc.cause}\n\n**Fix:** ${doc.fix}` },
    helpUri: `${INFORMATION_URI}/blob/main/${docLink(id)}`,
    defaultConfiguration: { level },
    properties,
  };
}

function location(place: SarifPlace): SarifLocation {
  return {
    physicalLocation: {
      // %SRCROOT%: the repository's top level, which is what code scanning resolves against.
      artifactLocation: { uri: pathToUri(place.path), uriBaseId: '%SRCROOT%' },
      region: { startLine: place.line, startColumn: place.column },
    },
  };
}

/** A relative URI reference for a `/`-separated path: each segment percent-encoded (spaces, `#`, `%`, `?`). */
export function pathToUri(file: string): string {
  return file
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * `message.text` is plain text, but SARIF viewers read `[text](target)` in it as an
 * embedded link (SARIF §3.11.6), so a spec string could plant a clickable link: brackets
 * are escaped as the format says (and so is each backslash of a run that precedes one).
 * Control characters are shown as escapes, as in every other output, so a spec cannot
 * forge lines.
 */
export function messageText(text: string): string {
  return terminalSafe(text).replace(/\\(?=\\*[[\]])|[[\]]/g, (c) => `\\${c}`);
}

/**
 * `partialFingerprints` values: a hash of what identifies a finding independently of
 * its line (rule, file, pointer, operation or subject), so code scanning keeps
 * tracking an alert when lines above it move. Two results with the same parts get
 * their occurrence number added, in output order, so they stay two alerts.
 */
class Fingerprints {
  private readonly seen = new Map<string, number>();

  next(parts: readonly string[]): string {
    const key = JSON.stringify(parts);
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return createHash('sha256')
      .update(n === 0 ? key : `${key}#${n}`)
      .digest('hex');
  }
}
