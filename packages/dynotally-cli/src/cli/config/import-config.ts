import { pathToFileURL } from 'node:url';

const TS_CONFIG = /\.[cm]?tsx?$/;

/**
 * Imports a configuration module and returns its exports as an ES module's. A TypeScript file goes through tsx's
 * loaders (the built CLI is plain JavaScript), registered on first need. A `.ts` file in a CommonJS package (a `package.json` without `"type": "module"`, npm's default) is compiled to
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
  // under a TypeScript loader already (tsx, vitest) a .ts file imports as it is
  if (TS_CONFIG.test(path) && !import.meta.url.endsWith('.ts')) await registerTypeScript();
  return esModuleOf((await import(pathToFileURL(path).href)) as Record<string, unknown>);
}

let registered: Promise<unknown> | undefined;

/**
 * Registers tsx's loaders once, for `import` and for `require`: a `.ts` file in a CommonJS package is compiled to
 * CommonJS and required. Registered for the process rather than scoped (`tsImport`): a scoped import evaluates
 * every module the config imports again under its own namespace, `dynotally` included, so the config's
 * `DynotallyError` and the CLI's would be two classes and the library would load twice.
 */
function registerTypeScript(): Promise<unknown> {
  registered ??= Promise.all([
    import('tsx/esm/api').then(({ register }) => register()),
    import('tsx/cjs/api').then(({ register }) => register()),
  ]);
  return registered;
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
