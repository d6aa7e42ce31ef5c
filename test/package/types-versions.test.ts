// TypeScript's node10 resolution (`"module": "commonjs"` in TypeScript 5.x, the tsconfig of many CommonJS projects)
// reads no `exports`: a subpath such as `dynotally/local` finds its declarations only through `typesVersions`.
// Without it: TS2307 "Cannot find module 'dynotally/local' … could not be resolved under your current
// 'moduleResolution' setting", while the same import runs (Node's require() follows `exports`).
// consumer.int.test.ts type-checks such a project against the packed package.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGE = join(import.meta.dirname, '..', '..', 'packages', 'dynotally', 'package.json');

interface Manifest {
  exports: Record<string, string | { types?: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

describe('dynotally package.json typesVersions', () => {
  it('maps every subpath export to the declarations its exports entry names', async () => {
    const manifest = JSON.parse(await readFile(PACKAGE, 'utf8')) as Manifest;
    const expected: Record<string, string[]> = {};
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === '.' || typeof target === 'string' || target.types === undefined) continue;
      expected[subpath.slice(2)] = [target.types];
    }
    expect(Object.keys(expected).sort()).toEqual(['cdk', 'local', 'redis', 'time']);
    expect(manifest.typesVersions).toEqual({ '*': expected });
  });
});
