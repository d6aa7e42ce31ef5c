import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/**
 * A fresh directory in the system's temp directory, removed when the test that made it finishes, or, made at a
 * file's or a `describe`'s top level, when that suite ends. Not in a hook: vitest takes no `afterAll` there, and the
 * directory would stay. A run of the suite used to leave about fifty config directories behind.
 *
 * @example
 * ```ts
 * const dir = tempDir('dynotally-s17w-');
 * writeFileSync(join(dir, 'dynotally.config.mts'), source);
 * ```
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    afterAll(remove);
  }
  return dir;
}
