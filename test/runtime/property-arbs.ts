// Generators of abstract worlds (property-world.ts) for the guard property test: a few
// schemes of every credential location, what the request carries for each, what each
// verifier and each AND group's binding check answers, and the operation's `security`
// array as written (`{}` anywhere, several times; a later requirement object sometimes
// naming the same scheme set as an earlier one, so two alternatives share a group key).
import fc from 'fast-check';
import type { UseSpec } from '../../templates/runtime/runtime-tables.js';
import {
  ANON,
  NAME_POOL,
  SCOPES,
  groupKeys,
  type AuthCred,
  type AuthSingle,
  type Behavior,
  type Binding,
  type Entry,
  type Forms,
  type KeyCred,
  type Mode,
  type OpDef,
  type Outcome,
  type SchemeDef,
  type SchemeKind,
  type World,
} from './property-world.js';

const secretArb = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/).map((s) => `SECRET${s}`);
const tokenArb = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{0,6}={0,2}$/).map((s) => `SECRET${s}`);

/**
 * `mixed` draws every credential state and verifier answer often; `mostlyGood` makes
 * most credentials present and most verifiers accept (and most schemes apiKeys, which
 * can all be sent at once), so AND groups reach their binding checks often.
 */
export type Credentials = 'mixed' | 'mostlyGood';

const outcomeArb = (c: Credentials): fc.Arbitrary<Outcome> =>
  fc.oneof(
    { weight: c === 'mixed' ? 6 : 24, arbitrary: fc.record({ type: fc.constant('valid' as const), scopes: fc.option(fc.subarray([...SCOPES]), { nil: undefined }) }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('invalid' as const), value: fc.constantFrom(null, undefined, false) }) },
    { weight: 1, arbitrary: fc.constant({ type: 'throws' as const }) },
  );
const modeArb = fc.constantFrom<Mode>('sync', 'promise', 'thenable');
const behaviorArb = (c: Credentials): fc.Arbitrary<Behavior> => fc.record({ outcome: outcomeArb(c), mode: modeArb });

const keyCredArb = (c: Credentials): fc.Arbitrary<KeyCred> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.record({ type: fc.constant('absent' as const), form: fc.constantFrom('omit' as const, 'undefined' as const) }) },
    { weight: c === 'mixed' ? 6 : 24, arbitrary: fc.record({ type: fc.constant('present' as const), value: secretArb, form: fc.constantFrom('string' as const, 'array1' as const) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('dup' as const), values: fc.tuple(secretArb, secretArb), form: fc.constantFrom('array' as const, 'spellings' as const) }) },
  );

const authSingleArb: fc.Arbitrary<AuthSingle> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('bearer' as const), word: fc.constantFrom('Bearer', 'bearer', 'BEARER'), token: tokenArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('basic' as const),
      word: fc.constantFrom('Basic', 'basic', 'BASIC'),
      user: fc.stringMatching(/^[a-zA-Z0-9é]{0,4}$/),
      pass: fc.tuple(secretArb, fc.constantFrom('', ':', ':x:y')).map(([s, tail]) => s + tail),
    }),
  },
  { weight: 1, arbitrary: secretArb.map((s) => ({ type: 'other' as const, raw: `Digest ${s}` })) },
);
const authArb: fc.Arbitrary<AuthCred> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ type: 'absent' as const }) },
  { weight: 6, arbitrary: authSingleArb },
  { weight: 1, arbitrary: fc.tuple(authSingleArb, authSingleArb).map((values) => ({ type: 'dup' as const, values })) },
);

const formsArb: fc.Arbitrary<Forms> = fc.record({
  headers: fc.constantFrom('record' as const, 'Headers' as const, 'raw' as const),
  headerCase: fc.constantFrom('lower' as const, 'upper' as const, 'asis' as const),
  query: fc.constantFrom('params' as const, 'record' as const),
  cookies: fc.constantFrom('record' as const, 'header' as const, 'headerSplit' as const),
});

const kindArb = (c: Credentials): fc.Arbitrary<SchemeKind> =>
  c === 'mixed'
    ? fc.constantFrom<SchemeKind>('header', 'query', 'cookie', 'bearer', 'oauth2', 'basic')
    : fc.oneof({ weight: 6, arbitrary: fc.constantFrom<SchemeKind>('header', 'query', 'cookie') }, { weight: 1, arbitrary: fc.constantFrom<SchemeKind>('bearer', 'oauth2', 'basic') });

/** B1: `independent`, a check answering `true`, one answering anything else (false or a truthy non-boolean), or one throwing. */
const bindingArb: fc.Arbitrary<Binding> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ type: 'independent' as const }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('answers' as const), value: fc.constant(true), mode: modeArb }) },
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant('answers' as const), value: fc.constantFrom<unknown>(false, 1, 'yes', 'true', {}, [], 0, null, undefined), mode: modeArb }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('throws' as const), mode: modeArb }) },
);

/** Requirement objects per operation, at most; also how many group bindings a world draws. */
const MAX_REQUIREMENTS = 4;

/** A written entry before resolving `same` (the scheme set of an earlier requirement, maybe reordered, other scopes). */
type RawEntry =
  | { readonly t: 'req'; readonly uses: readonly UseSpec[] }
  | { readonly t: 'anon' }
  | { readonly t: 'same'; readonly of: number; readonly reverse: boolean; readonly scopes: readonly (readonly string[])[] };

function resolve(raw: readonly RawEntry[]): Entry[] {
  const written: Entry[] = [];
  const requirements: (readonly UseSpec[])[] = [];
  for (const r of raw) {
    if (r.t === 'anon') {
      written.push(ANON);
      continue;
    }
    let uses = r.t === 'req' ? r.uses : undefined;
    if (r.t === 'same') {
      const base = requirements[r.of % Math.max(1, requirements.length)];
      if (base === undefined) continue;
      const members = r.reverse ? [...base].reverse() : [...base];
      uses = members.map((u, i): UseSpec => ({ scheme: u.scheme, scopes: r.scopes[i] ?? [] }));
    }
    if (uses === undefined) continue;
    written.push(uses);
    requirements.push(uses);
  }
  return written;
}

function opArb(names: readonly string[], weights: readonly [number, number, number]): fc.Arbitrary<OpDef> {
  const n = names.length;
  const scopesArb = fc.subarray([...SCOPES], { maxLength: 2 });
  const useArb = fc.record({ idx: fc.nat(n - 1), scopes: scopesArb });
  const reqArb: fc.Arbitrary<RawEntry> = fc
    .uniqueArray(useArb, { selector: (u) => u.idx, minLength: 1, maxLength: Math.min(3, n) })
    .map((uses) => ({ t: 'req' as const, uses: uses.map((u): UseSpec => ({ scheme: names[u.idx] as string, scopes: u.scopes })) }));
  const sameArb: fc.Arbitrary<RawEntry> = fc.record({
    t: fc.constant('same' as const),
    of: fc.nat(MAX_REQUIREMENTS),
    reverse: fc.boolean(),
    scopes: fc.array(scopesArb, { maxLength: 3 }),
  });
  const requirementArb = fc.oneof({ weight: 4, arbitrary: reqArb }, { weight: 1, arbitrary: sameArb });
  const entryArb = fc.oneof({ weight: 5, arbitrary: requirementArb }, { weight: 1, arbitrary: fc.constant<RawEntry>({ t: 'anon' }) });
  const [pub, req, opt] = weights;
  return fc.oneof(
    { weight: pub, arbitrary: fc.constant<OpDef>({ written: [] }) },
    {
      weight: req,
      arbitrary: fc
        .tuple(reqArb, fc.array(requirementArb, { maxLength: MAX_REQUIREMENTS - 1 }))
        .map(([first, rest]): OpDef => ({ written: resolve([first, ...rest]) })),
    },
    {
      // At least one `{}`, anywhere; maybe more.
      weight: opt,
      arbitrary: fc.tuple(fc.array(entryArb, { maxLength: MAX_REQUIREMENTS }), fc.nat(MAX_REQUIREMENTS)).map(([entries, at]): OpDef => {
        const raw = [...entries];
        raw.splice(Math.min(at, raw.length), 0, { t: 'anon' });
        return { written: resolve(raw) };
      }),
    },
  );
}

export interface WorldOptions {
  readonly anonymousOnInvalid: boolean;
  /** How often the operation is public, required, optional. */
  readonly weights: readonly [number, number, number];
  readonly credentials: Credentials;
}

export function worldArb({ anonymousOnInvalid, weights, credentials }: WorldOptions): fc.Arbitrary<World> {
  return fc.array(kindArb(credentials), { minLength: 1, maxLength: 6 }).chain((kinds) => {
    const n = kinds.length;
    return fc.shuffledSubarray([...NAME_POOL], { minLength: n, maxLength: n }).chain((names) =>
      fc
        .record({
          schemes: fc
            .tuple(fc.array(behaviorArb(credentials), { minLength: n, maxLength: n }), fc.array(keyCredArb(credentials), { minLength: n, maxLength: n }))
            .map(([behaviors, creds]) =>
              kinds.map((kind, i): SchemeDef => ({ name: names[i] as string, kind, behavior: behaviors[i] as Behavior, cred: creds[i] as KeyCred })),
            ),
          auth: authArb,
          op: opArb(names, weights),
          groupBindings: fc.array(bindingArb, { minLength: MAX_REQUIREMENTS, maxLength: MAX_REQUIREMENTS }),
          forms: formsArb,
        })
        .map(({ groupBindings, ...rest }): World => {
          const keys = groupKeys(rest.op);
          const bindings = new Map(keys.map((key, i): [string, Binding] => [key, groupBindings[i] as Binding]));
          return { ...rest, bindings, anonymousOnInvalid };
        }),
    );
  });
}
