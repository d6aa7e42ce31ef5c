import { pathToFileURL } from 'node:url';

const TS_CONFIG = /\.[cm]?tsx?$/;

/**
 * Imports a configuration module and returns its exports as an ES module's. A TypeScript file goes through tsx's
 * `tsImport` (the built CLI is plain JavaScript), scoped to this import rather than registered for the process.
 * A `.ts` file in a CommonJS package (a `package.json` without `"type": "module"`, npm's default) is compiled to
 * CommonJS: its exports come back as the namespace's `default`, marked `__esModule`, and are unwrapped here, so
 * `export default defineConfig(…)` means the same in either kind of package.
 *
 * @example
 * ```ts
 * const mod = await importConfig('/home/me/app/dynotally.config.ts');
 * mod.default; // the configuration
 * ```
 */
export async function importConfig(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  // under a TypeScript loader already (tsx, vitest) a .ts file imports as it is
  const mod =
    TS_CONFIG.test(path) && !import.meta.url.endsWith('.ts')
      ? await import('tsx/esm/api').then(({ tsImport }) => tsImport(url, import.meta.url))
      : await import(url);
  return esModuleOf(mod as Record<string, unknown>);
}

/**
 * The exports of a module as written: a CommonJS module compiled from ES syntax arrives as `{ default: exports }`
 * with `exports.__esModule` set, and is unwrapped.
 *
 * @example
 * ```ts
 * esModuleOf({ default: { __esModule: true, default: config } }); // { __esModule: true, default: config }
 * ```
 */
export function esModuleOf(mod: Record<string, unknown>): Record<string, unknown> {
  const inner = mod.default as Record<string, unknown> | undefined;
  if (inner !== null && typeof inner === 'object' && inner.__esModule === true) return inner;
  return mod;
}
