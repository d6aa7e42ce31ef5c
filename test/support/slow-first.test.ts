import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLOW_FILES, slowFirst } from './slow-first.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('slowFirst', () => {
  it('moves the named files to the front in the named order and keeps the rest in their order', () => {
    const files = ['a.test.ts', 'slow2.test.ts', 'b.test.ts', 'slow1.test.ts', 'c.test.ts'];
    expect(slowFirst(files, (f) => f, ['slow1.test.ts', 'slow2.test.ts', 'gone.test.ts'])).toEqual([
      'slow1.test.ts',
      'slow2.test.ts',
      'a.test.ts',
      'b.test.ts',
      'c.test.ts',
    ]);
  });

  it('names only test files that exist (a renamed file would silently lose its place)', () => {
    expect(SLOW_FILES.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
    expect(new Set(SLOW_FILES).size).toBe(SLOW_FILES.length);
  });
});
