// Review s40x (groupBy: { names, fn }, session 40): a declared function typed to return a record of any names.
// docs/rollups.md and the TSDoc of GroupByChecked (definition/types.ts) say a function typed as a record of any
// names, `Record<string, string>`, passes (the fold checks each group it returns): the way to declare the names of a
// function built from data, such as the plain one in test/review/s39q-group-fn-names.test.ts,
// `(item): Record<string, string> => …`.
// Observed: tsc refused it ("Property 'storeId' is missing in type 'Record<string, string>'"): GroupByChecked asked
// for `{ readonly storeId: GroupValue }`, which a record type does not promise, so declaring the names of such a
// function needed a cast.
// Expected: it compiles, with the group type still inferred from `names` (a query naming another group does not).
// Fixed: definition/types.ts GroupByChecked takes, for an `fn` whose return type has a string index signature,
// the plain function's contract (`Readonly<Record<string, GroupValue>> | undefined`) with the declared names; a
// return type with known names is checked against them as before (define-rollup.type.test.ts).
// The snippet is compiled with the TypeScript API and the repository's tsconfig.json, as tsc does.
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SNIPPET = join(ROOT, 'test/review/s40x-record-return-type.snippet.ts');
const SOURCE = `
import { count, defineRollup, type GroupOfRollup, type GroupValue } from '../../packages/dynotally/src/definition/index.ts';
const common = { granularities: ['all'], measures: { n: count() } } as const;
const byRecord = defineRollup({
  name: 'byRecord',
  groupBy: { names: ['storeId'], fn: (item): Record<string, string> => ({ storeId: String(item.who) }) },
  ...common,
});
const orSkip = defineRollup({
  name: 'orSkip',
  groupBy: {
    names: ['storeId', 'region'],
    fn: (item): Readonly<Record<string, GroupValue>> | undefined =>
      item.type === 'order' ? { storeId: String(item.who), region: 'eu' } : undefined,
  },
  ...common,
});
export const a: GroupOfRollup<typeof byRecord> = { storeId: 's-1' };
export const b: GroupOfRollup<typeof orSkip> = { storeId: 's-1', region: 'eu' };
// @ts-expect-error the group type is still the declared names'
export const c: GroupOfRollup<typeof byRecord> = { userId: 's-1' };
`;

function diagnostics(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) =>
    file === SNIPPET ? ts.createSourceFile(file, SOURCE, language) : read(file, language, ...rest);
  const exists = host.fileExists.bind(host);
  host.fileExists = (file) => file === SNIPPET || exists(file);
  const program = ts.createProgram({ rootNames: [SNIPPET], options: config.options, host });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(SNIPPET))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('a declared groupBy function typed to return a record of any names (s40x)', () => {
  it('compiles, its group typed by the declared names', () => {
    expect(diagnostics()).toEqual([]);
  });
});
