// `codegen check`'s summary reads the operations table of security.ts as emit prints it.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { describeRow, operationsTableOf, securityChanges } from '../../src/drift/tables.js';
import { printLiteral } from '../../src/emit/literal.js';

const file = (operations: string) => `// header\nexport const operations = ${operations} as const;\n`;

describe('operationsTableOf', () => {
  it('reads what printLiteral writes, hostile keys and strings included', () => {
    // JSON.parse makes `__proto__` an own key (an object literal would set the prototype).
    const table = JSON.parse(
      JSON.stringify({ proto: { method: 'get', path: '/{a}', auth: { kind: 'public' } }, 'get /x"}]{ as const;': { method: 'get', path: '/x', auth: { kind: 'optional', anyOf: [[{ scheme: 'K', scopes: ['a,b', '}'] }]], at: [1], anonymousAt: 0 } } }).replace('"proto"', '"__proto__"'),
    ) as Record<string, import('../../src/emit/literal.js').Data>;
    const parsed = operationsTableOf(file(printLiteral(table)));
    expect(parsed).toBeDefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed ?? {})).toEqual(['__proto__', 'get /x"}]{ as const;']);
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(table));
  });

  it('reads the committed example', () => {
    const parsed = operationsTableOf(readFileSync('generated/security.ts', 'utf8'));
    expect(describeRow(parsed?.showPetById?.auth)).toBe('anonymous or ApiKey + AppId or Bearer');
    expect(describeRow(parsed?.createPet?.auth)).toBe('OAuth2 [pets:write] or ApiKey + AppId');
    expect(describeRow(parsed?.getHealth?.auth)).toBe('public');
  });

  it('a file it cannot read gives no summary, not an error', () => {
    expect(operationsTableOf('// edited by hand')).toBeUndefined();
    expect(operationsTableOf(file('{ broken: ['))).toBeUndefined();
    expect(securityChanges('nonsense', file('{}'))).toBeUndefined();
  });

  it('lists added, removed and changed operations, in code-unit order', () => {
    const before = file(printLiteral({ a: { auth: { kind: 'public' } }, b: { auth: { kind: 'required', anyOf: [[{ scheme: 'K', scopes: [] }]], at: [0] } } }));
    const after = file(printLiteral({ b: { auth: { kind: 'required', anyOf: [[{ scheme: 'K', scopes: [] }, { scheme: 'L', scopes: [] }]], at: [0] } }, c: { auth: { kind: 'public' } } }));
    expect(securityChanges(before, after)).toEqual([
      { operationId: 'a', committed: 'public', spec: undefined },
      { operationId: 'b', committed: 'K', spec: 'K + L' },
      { operationId: 'c', committed: undefined, spec: 'public' },
    ]);
  });
});
