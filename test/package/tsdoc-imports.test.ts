// The TSDoc @example blocks of the packages' sources are what an editor shows beside each export, and what a user
// copies. Those that import from a package entry ('dynotally', 'dynotally/redis', 'dynotally-cli', …) must name
// only what that entry exports. Review s38u: createQueryClient's example imported `jobsPerCustomer` and
// `storeMetrics` from 'dynotally', which exports neither (the reference rollups live in dynotally-cli's scenarios):
// copied into a file, `tsc --strict --module nodenext` stopped at TS2305.
// Break-check: with that example's import put back, the test names query-client.ts and the two names.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Each package entry's source index (as the packages' "exports" map their built files). */
const ENTRIES: Record<string, string> = {
  dynotally: 'packages/dynotally/src/index.ts',
  'dynotally/redis': 'packages/dynotally/src/redis/index.ts',
  'dynotally/cdk': 'packages/dynotally/src/cdk/index.ts',
  'dynotally/local': 'packages/dynotally/src/local/index.ts',
  'dynotally/time': 'packages/dynotally/src/time/index.ts',
  'dynotally-cli': 'packages/dynotally-cli/src/cli/index.ts',
};

/** The names an entry's index exports (`export { a, type B } from …`, `export function c`, …). */
function exportedNames(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const names = new Set<string>();
  for (const [, list = ''] of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g))
    for (const item of list.split(','))
      names.add(
        item
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop() ?? '',
      );
  for (const [, name = ''] of text.matchAll(
    /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+(\w+)/g,
  ))
    names.add(name);
  names.delete('');
  return names;
}

/** Every source file (not a test) under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('.test.') && !f.includes('fixtures'))
    .map((f) => join(dir, f));
}

/** The ```ts blocks of the file's doc comments, without their ` * ` margins. */
function exampleBlocks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const blocks: string[] = [];
  for (const [comment] of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    for (const [, code = ''] of lines.join('\n').matchAll(/```ts\n([\s\S]*?)```/g)) blocks.push(code);
  }
  return blocks;
}

describe('TSDoc examples import what the package entries export', () => {
  it('every name an example imports from a package entry is exported by it', () => {
    const exported = new Map(Object.entries(ENTRIES).map(([entry, file]) => [entry, exportedNames(file)]));
    const missing: string[] = [];
    let checked = 0;
    for (const file of [...sources('packages/dynotally/src'), ...sources('packages/dynotally-cli/src')])
      for (const code of exampleBlocks(file))
        for (const [, list = '', entry = ''] of code.matchAll(
          /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g,
        )) {
          const names = exported.get(entry);
          if (names === undefined) continue; // another package ('@aws-sdk/…'), or a relative module
          for (const item of list.split(',')) {
            const name = item
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0];
            if (!name) continue;
            checked += 1;
            if (!names.has(name)) missing.push(`${file}: ${name} from '${entry}'`);
          }
        }
    expect(checked).toBeGreaterThan(10); // the scan found the examples' imports
    expect(missing).toEqual([]);
  });

  it('every example parses as TypeScript (no bare … standing for the rest of an object or a statement)', () => {
    // Review s42u: five examples did not parse — `defineRollup({ …, functionsVersion: '2026-11-a', … })` on the
    // public RollupConfig.functionsVersion among them: copied into a file, tsc stopped at TS1127 "Invalid
    // character" before checking anything. Name the elided part instead (`...options`, `await flushRow()`): a block
    // comment cannot stand in a doc comment, whose `*/` it would end.
    // Break-check: with one `…` put back, the test names that file.
    const broken: string[] = [];
    let parsed = 0;
    for (const file of [...sources('packages/dynotally/src'), ...sources('packages/dynotally-cli/src')])
      for (const code of exampleBlocks(file)) {
        parsed += 1;
        const { diagnostics = [] } = ts.transpileModule(code, {
          reportDiagnostics: true,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        for (const d of diagnostics)
          broken.push(`${file}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      }
    expect(parsed).toBeGreaterThan(1_000);
    expect(broken).toEqual([]);
  });
});
