// What `codegen diff` reports: the change classes, worst first, and every rule with
// the class it belongs to. One table, so a rule cannot be reported in two classes and
// the docs, tests and renderers all read the same list.
import type { Origin } from '../ir/types.js';

/** Worst first: the order the report lists them in (and the exit code looks at). */
export const CHANGE_CLASSES = ['weakening', 'endpoint-changed', 'client-breaking', 'strengthening', 'neutral'] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

const CLASS_OF = {
  // weakening: someone gets in who did not before
  'became-public': 'weakening',
  'became-optional': 'weakening',
  'alternative-added': 'weakening',
  'and-scheme-removed': 'weakening',
  'scope-removed': 'weakening',
  'scheme-weaker': 'weakening',
  'new-public-operation': 'weakening',
  // endpoint-changed: credentials now go to another place (a token, authorization or
  // refresh URL, an OpenID Connect discovery URL, or the servers' origin): nobody's
  // access changes, but a generated client sends its secrets somewhere else
  'credential-endpoint-changed': 'endpoint-changed',
  'server-origin-changed': 'endpoint-changed',
  // strengthening: someone who got in is now refused, for a reason the spec gives
  'no-longer-public': 'strengthening',
  'no-longer-optional': 'strengthening',
  'and-scheme-added': 'strengthening',
  'scope-added': 'strengthening',
  'scheme-stronger': 'strengthening',
  'public-operation-removed': 'strengthening',
  // client-breaking: same security, but a generated client sends credentials wrongly
  'key-moved': 'client-breaking',
  'key-renamed': 'client-breaking',
  'scheme-renamed': 'client-breaking',
  'scheme-changed': 'client-breaking',
  'alternative-removed': 'client-breaking',
  // neutral: worth knowing, nobody gains or loses access
  'alternatives-reordered': 'neutral',
  'alternative-added-implied': 'neutral',
  'source-changed': 'neutral',
  'description-changed': 'neutral',
  'scheme-details-changed': 'neutral',
  'operation-added': 'neutral',
  'operation-removed': 'neutral',
  'operation-moved': 'neutral',
  'operation-renamed': 'neutral',
} as const satisfies Record<string, ChangeClass>;

export type ChangeRule = keyof typeof CLASS_OF;

/** Every rule, in the order of the table above. */
export const CHANGE_RULES = Object.keys(CLASS_OF) as ChangeRule[];

export function classOf(rule: ChangeRule): ChangeClass {
  return CLASS_OF[rule];
}

export interface OperationRef {
  readonly id: string;
  readonly method: string;
  readonly path: string;
}

/** The operation of an API-wide change (the servers): empty method and path. */
export const API_WIDE: OperationRef = { id: '(servers)', method: '', path: '' };

export interface Change {
  readonly class: ChangeClass;
  readonly rule: ChangeRule;
  readonly operation: OperationRef;
  readonly message: string;
  /** Where the change is in the old version; `null` when it has no counterpart there. */
  readonly old: Origin | null;
  /** Where the change is in the new version; `null` when it has no counterpart there. */
  readonly new: Origin | null;
  /** Set when an entry of the accept file covers this change (it then fails nothing). */
  readonly accepted?: Acceptance;
}

/** A reviewed change: the accept file entry that covers it. */
export interface Acceptance {
  readonly reason: string;
  /** `YYYY-MM-DD`: the last day the entry holds. */
  readonly expires: string;
  /** Where the entry is: the accept file and its JSON pointer. */
  readonly at: Origin;
}

/** What a rule finds: a change before it is tied to its operation and class. */
export interface Finding {
  readonly rule: ChangeRule;
  readonly message: string;
  readonly old: Origin | null;
  readonly new: Origin | null;
}
