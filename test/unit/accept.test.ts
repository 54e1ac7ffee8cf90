// The accept file of `codegen diff` (issue 16): entries cover exactly the changes they
// name, expired and unmatched entries are errors, and a malformed file is refused with
// the file and JSON pointer of each problem.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAccept, loadAcceptFile, sortEntries, unmatched, utcDate, type AcceptEntry } from '../../src/diff/accept.js';
import type { Change } from '../../src/diff/classes.js';

const change = (id: string, rule: Change['rule'], cls: Change['class']): Change => ({
  class: cls,
  rule,
  operation: { id, method: 'get', path: `/${id}` },
  message: `${rule} on ${id}`,
  old: null,
  new: { file: 'openapi.yaml', at: `/paths/~1${id}/get` },
});

const entry = (over: Partial<AcceptEntry>): AcceptEntry => ({
  operation: 'listPets',
  class: 'weakening',
  reason: 'reviewed in PR 12',
  expires: '2027-01-31',
  at: { file: 'accept.json', at: '/accepted/0' },
  ...over,
});

function write(contents: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'accept-'));
  writeFileSync(path.join(dir, 'accept.json'), contents);
  return { dir, file: 'accept.json' };
}

describe('applyAccept, sortEntries, unmatched', () => {
  const changes = [change('listPets', 'became-public', 'weakening'), change('listPets', 'scope-added', 'strengthening'), change('deletePet', 'scope-removed', 'weakening')];
  const codes = (entries: AcceptEntry[], today = '2026-12-02', base?: AcceptEntry[]) => {
    const sorted = sortEntries(entries, today, base);
    const applied = applyAccept(changes, sorted.live, 'openapi.yaml');
    return { applied, sorted, problems: [...sorted.expired, ...unmatched(sorted.live, applied.used)] };
  };

  it('marks only the changes of the named operation and class (and rule, and spec, when given)', () => {
    const { applied, problems } = codes([entry({})]);
    expect(problems).toEqual([]);
    expect(applied.changes.map((c) => c.accepted?.reason ?? null)).toEqual(['reviewed in PR 12', null, null]);
    expect(applied.changes[0]?.accepted).toEqual({ reason: 'reviewed in PR 12', expires: '2027-01-31', at: { file: 'accept.json', at: '/accepted/0' } });
    expect(codes([entry({ operation: 'deletePet', rule: 'scope-removed' })]).applied.changes.map((c) => c.accepted !== undefined)).toEqual([false, false, true]);
    const otherRule = codes([entry({ rule: 'alternative-added' })]);
    expect(otherRule.applied.changes.every((c) => c.accepted === undefined)).toBe(true);
    expect(otherRule.problems.map((d) => d.code)).toEqual(['accept-unmatched']);
    expect(codes([entry({ spec: './openapi.yaml' })]).applied.changes[0]?.accepted).toBeDefined();
    expect(codes([entry({ spec: 'other.yaml' })]).problems.map((d) => d.code)).toEqual(['accept-unmatched']);
  });

  it('an entry holds through its expiry day and not a day longer; an expired one covers nothing', () => {
    expect(codes([entry({ expires: '2026-12-02' })]).applied.changes[0]?.accepted).toBeDefined();
    const late = codes([entry({ expires: '2026-12-01' })]);
    expect(late.applied.changes[0]?.accepted).toBeUndefined();
    expect(late.problems).toEqual([
      expect.objectContaining({ code: 'accept-expired', severity: 'error', file: 'accept.json', pointer: '/accepted/0/expires', message: expect.stringContaining('expired on 2026-12-01') }),
    ]);
  });

  it('a stale entry (no change of that operation and class) is an error', () => {
    expect(codes([entry({ operation: 'gone' })]).problems).toEqual([expect.objectContaining({ code: 'accept-unmatched', pointer: '/accepted/0', message: expect.stringContaining('"gone"') })]);
  });

  it('an entry the base commit already holds is inherited: it covers nothing and is no error (review finding: no pre-approval)', () => {
    const old = entry({});
    const { applied, sorted, problems } = codes([entry({ at: { file: 'accept.json', at: '/accepted/3' } })], '2026-12-02', [old]);
    expect(applied.changes.every((c) => c.accepted === undefined)).toBe(true);
    expect(sorted.inherited).toHaveLength(1);
    expect(problems).toEqual([]);
    // the same operation with another reason is a new review
    expect(codes([entry({ reason: 'reviewed again in PR 40' })], '2026-12-02', [old]).applied.changes[0]?.accepted?.reason).toBe('reviewed again in PR 40');
  });

  it('(servers) names the API-wide change only, never an operation that took that id', () => {
    const servers = { ...change('(servers)', 'server-origin-changed', 'endpoint-changed'), operation: { id: '(servers)', method: '', path: '' } };
    const impostor = change('(servers)', 'became-public', 'weakening');
    const sorted = sortEntries([entry({ operation: '(servers)', class: 'endpoint-changed' }), entry({ operation: '(servers)' })], '2026-12-02');
    const applied = applyAccept([servers, impostor], sorted.live, 'openapi.yaml');
    expect(applied.changes.map((c) => c.accepted !== undefined)).toEqual([true, false]);
  });

  it('today is the UTC date', () => {
    expect(utcDate(new Date('2026-12-02T23:30:00-05:00'))).toBe('2026-12-03');
  });
});

describe('loadAcceptFile', () => {
  it('reads a valid file with the entries located by pointer', () => {
    const { dir, file } = write(JSON.stringify({ accepted: [{ operation: 'listPets', class: 'weakening', rule: 'became-public', reason: 'r', expires: '2027-01-31' }] }));
    expect(loadAcceptFile(file, dir, '2026-12-02')).toEqual({
      ok: true,
      entries: [{ operation: 'listPets', class: 'weakening', rule: 'became-public', reason: 'r', expires: '2027-01-31', at: { file: 'accept.json', at: '/accepted/0' } }],
    });
  });

  it('names every problem with its pointer', () => {
    const { dir, file } = write(
      JSON.stringify({
        acepted: [],
        accepted: [
          { operation: 'a', class: 'weakning', reason: 'r', expires: '2027-02-30' },
          { operation: 'b', class: 'weakening', rule: 'scope-added', reason: '', expires: '2027-01-01', note: 1 },
          { class: 'weakening', reason: 'r', expires: '2027-01-01' },
          'x',
        ],
      }),
    );
    const result = loadAcceptFile(file, dir, '2026-12-02');
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.pointer} ${d.message}`);
    expect(problems).toEqual([
      'accept-invalid /acepted unknown key "acepted"; did you mean "accepted"?',
      'accept-invalid /accepted/0/class unknown change class "weakning" (one of weakening, endpoint-changed, client-breaking, strengthening, neutral); did you mean "weakening"?',
      'accept-invalid /accepted/0/expires "expires" must be a date written YYYY-MM-DD, not "2027-02-30"',
      'accept-invalid /accepted/1/note unknown key "note"',
      'accept-invalid /accepted/1/reason "reason" must be a non-empty string',
      'accept-invalid /accepted/1/rule rule "scope-added" is of class strengthening, not weakening',
      'accept-invalid /accepted/2 the entry has no "operation"',
      'accept-invalid /accepted/3 an entry must be an object with operation, class, reason and expires',
    ]);
  });

  it('an expiry more than a year ahead is refused', () => {
    const { dir, file } = write(JSON.stringify({ accepted: [{ operation: 'a', class: 'weakening', reason: 'r', expires: '2027-12-04' }, { operation: 'b', class: 'weakening', reason: 'r', expires: '2027-12-03' }] }));
    const r = loadAcceptFile(file, dir, '2026-12-02');
    expect(r.ok ? [] : r.diagnostics.map((d) => d.pointer)).toEqual(['/accepted/0/expires']);
  });

  it('refuses what is not a JSON object with an accepted array, a missing file and a symlink', () => {
    for (const text of ['[]', '{"accepted": {}}', '{', 'null']) {
      const { dir, file } = write(text);
      const r = loadAcceptFile(file, dir);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ code: 'accept-invalid', file: 'accept.json', pointer: '' });
    }
    const { dir } = write('{"accepted": []}');
    const missing = loadAcceptFile('nope.json', dir);
    expect(!missing.ok && missing.diagnostics[0]?.message).toContain('file not found');
    symlinkSync(path.join(dir, 'accept.json'), path.join(dir, 'link.json'));
    const link = loadAcceptFile('link.json', dir);
    expect(!link.ok && link.diagnostics[0]?.message).toContain('symbolic link');
  });
});
