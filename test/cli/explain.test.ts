// `codegen lint --explain <code>` as a real process: title, cause and fix from the
// catalog for a diagnostic code, change rule or change class, without reading a spec
// or a config; an unknown code is exit 2 with a did-you-mean.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_CLASS_DOCS, CHANGE_RULE_DOCS, DIAGNOSTIC_DOCS } from '../../src/diagnostics/catalog.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

/** The text as the terminal output shows it: words, whatever the line breaks. */
const words = (text: string): string => text.replace(/\s+/g, ' ').trim();

let empty: string;
let broken: string;
beforeAll(() => {
  empty = tempDir('osc-explain-');
  // A config that would fail to load, and a code config that would throw if run.
  broken = tempDir('osc-explain-broken-');
  writeFileSync(path.join(broken, 'codegen.config.json'), '{ "spec": ');
  writeFileSync(path.join(broken, 'codegen.config.mjs'), 'throw new Error("config was run");\n');
});

describe('codegen lint --explain', () => {
  it('a diagnostic code: title, severity, cause, fix and the doc anchor; exit 0, nothing on stderr', async () => {
    const r = await runCli(['lint', '--explain', 'operation-without-security'], empty);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const e = DIAGNOSTIC_DOCS['operation-without-security'];
    expect(r.stdout.split('\n')[0]).toBe(`operation-without-security: ${e.title}`);
    expect(r.stdout).toContain('(diagnostic, warning)');
    expect(r.stdout).toContain('\nCause:\n  ');
    expect(r.stdout).toContain('\nFix:\n  ');
    expect(words(r.stdout)).toContain(words(e.cause));
    expect(words(r.stdout)).toContain(words(e.fix));
    expect(r.stdout).toContain('docs/diagnostics.md#operation-without-security');
    for (const line of r.stdout.split('\n').filter((l) => !l.startsWith('More: '))) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('a change rule names its class; a change class lists its rules', async () => {
    const rule = await runCli(['lint', '--explain', 'became-public'], empty);
    expect(rule.code).toBe(0);
    expect(rule.stdout).toContain(`became-public: ${CHANGE_RULE_DOCS['became-public'].title}\n(diff change rule, class weakening)`);
    const cls = await runCli(['lint', '--explain', 'endpoint-changed'], empty);
    expect(cls.code).toBe(0);
    expect(cls.stdout).toContain(`endpoint-changed: ${CHANGE_CLASS_DOCS['endpoint-changed'].title}`);
    expect(words(cls.stdout)).toContain('rules: credential-endpoint-changed, server-origin-changed)');
  });

  it('reads no config and no spec: a broken config, a throwing code config and a missing --spec change nothing', async () => {
    const r = await runCli(['lint', '--explain', 'no-security'], broken);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const withSpec = await runCli(['lint', '--explain', 'no-security', '--spec', 'missing.yaml', '--config', 'codegen.config.mjs'], broken);
    expect(withSpec.code).toBe(0);
    expect(withSpec.stdout).toBe(r.stdout);
  });

  it('an unknown code: exit 2, a did-you-mean and where the list is', async () => {
    const r = await runCli(['lint', '--explain', 'operaton-without-security'], empty);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('codegen: unknown code "operaton-without-security" for --explain; did you mean "operation-without-security"?');
    expect(r.stderr).toContain('docs/diagnostics.md lists them all');
    const far = await runCli(['lint', '--explain', 'zzz'], empty);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain('did you mean');
    expect(far.stderr).toContain('--explain takes a diagnostic code, a diff change rule or a diff change class');
  });

  it('a code with control characters is shown escaped', async () => {
    const r = await runCli(['lint', '--explain', 'x\u001b[31my'], empty);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\u001b');
  });

  it('--explain without a code is a usage error (exit 2)', async () => {
    const r = await runCli(['lint', '--explain'], empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--explain needs a value');
  });
});
