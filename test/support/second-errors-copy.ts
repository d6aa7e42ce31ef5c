// A second copy of dynotally's errors module in this process, as two installs, a Lambda bundle beside a layer
// or a CommonJS build beside the ES module one would give: bundled by esbuild in memory and imported from a
// data: URL, so it is a module of its own with a DynotallyError class of its own. No file is written, and
// buildSync's esbuild process has exited when it returns (pure test files share their processes).
import { join } from 'node:path';
import { buildSync } from 'esbuild';

type ErrorsModule = typeof import('../../packages/dynotally/src/errors/index.ts');

const ERRORS = join(import.meta.dirname, '..', '..', 'packages', 'dynotally', 'src', 'errors', 'index.ts');

/**
 * The errors module evaluated again, apart from the one the test imports.
 *
 * @example
 * ```ts
 * const copy = await secondErrorsCopy();
 * isDynotallyError(new copy.DynotallyError('LEASE_LOST', 'lost'), 'LEASE_LOST'); // true, by the brand
 * ```
 */
export async function secondErrorsCopy(): Promise<ErrorsModule> {
  const built = buildSync({
    entryPoints: [ERRORS],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const code = built.outputFiles[0]?.text ?? '';
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  return (await import(/* @vite-ignore */ url)) as ErrorsModule;
}
