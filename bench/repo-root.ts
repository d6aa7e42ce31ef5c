import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (the nearest folder above this module with `package.json` and `node_modules`),
 * so the bench finds its files whether it runs from source under tsx or from an esbuild bundle
 * (e.g. `dist/bench.mjs` for `node --cpu-prof`).
 *
 * @example
 * ```ts
 * join(repoRoot(), 'bench', 'handlers', 'dynotally.ts');
 * ```
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
