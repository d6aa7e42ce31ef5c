import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynotallyError } from 'dynotally';
import { referenceRollups } from '../../scenarios/rollups.ts';
import { zodToError } from '../errors/zod-issue.ts';
import { configSchema, isRollup } from './config-schema.ts';
import type { DynotallyConfig } from './define-config.ts';

/**
 * The file names looked for in the working directory when no `--config` is given.
 *
 * @example
 * ```ts
 * CONFIG_FILE_NAMES[0]; // 'dynotally.config.ts'
 * ```
 */
export const CONFIG_FILE_NAMES = [
  'dynotally.config.ts',
  'dynotally.config.mts',
  'dynotally.config.js',
  'dynotally.config.mjs',
];

/**
 * A configuration and where it came from.
 *
 * @example
 * ```ts
 * const { path, config } = await loadConfig(undefined, process.cwd()); // path undefined → built-in rollups
 * ```
 */
export interface LoadedConfig {
  /** Absolute path of the file, or `undefined` for the built-in reference rollups. */
  path: string | undefined;
  config: DynotallyConfig;
}

const TS_CONFIG = /\.[cm]?tsx?$/;
let tsLoader: Promise<unknown> | undefined;

/** Registers tsx's ESM loader once (the built CLI is plain JavaScript; a user's config may be TypeScript). */
function registerTypeScript(): Promise<unknown> {
  // Already running under a TypeScript loader (tsx, vitest): importing a .ts file works as it is.
  if (import.meta.url.endsWith('.ts')) return Promise.resolve();
  tsLoader ??= import('tsx/esm/api').then(({ register }) => register());
  return tsLoader;
}

/**
 * Loads a configuration file with a dynamic `import()` (a TypeScript file is imported through tsx's loader,
 * registered on first need) and validates it. The module's default export (or a named `config`) is
 * the configuration; a module without one contributes every rollup it exports. Without a file — none
 * given and no `dynotally.config.*` in `cwd` — the five reference rollups are used.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a missing file, one that fails to load, or a bad shape.
 * @example
 * ```ts
 * const { config, path } = await loadConfig('dynotally.config.ts', process.cwd());
 * console.log(path, config.rollups.map((r) => r.name));
 * ```
 */
export async function loadConfig(file: string | undefined, cwd: string): Promise<LoadedConfig> {
  const path = file === undefined ? findConfigFile(cwd) : resolve(cwd, file);
  if (path === undefined) return { path: undefined, config: { rollups: referenceRollups } };
  const shown = relative(cwd, path) || path;
  if (!existsSync(path)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `config file ${shown} does not exist (check --config / DYNOTALLY_CONFIG, or create it: see docs/cli.md)`,
      { details: { path } },
    );
  }
  let mod: Record<string, unknown>;
  try {
    if (TS_CONFIG.test(path)) await registerTypeScript();
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    const reason = String((cause as Error)?.message ?? cause).split('\n', 1)[0];
    throw new DynotallyError(
      'CONFIG_INVALID',
      `config file ${shown} could not be loaded: ${reason} (fix the file; --verbose shows the full error)`,
      { details: { path }, cause },
    );
  }
  const exported = mod.default ?? mod.config ?? { rollups: Object.values(mod).filter(isRollup) };
  const parsed = configSchema.safeParse(exported);
  if (!parsed.success) {
    throw zodToError(parsed.error, {
      where: `config file ${shown}`,
      fix: 'export default defineConfig({ rollups: [...] }), see docs/cli.md',
    });
  }
  const config = parsed.data as DynotallyConfig;
  const names = config.rollups.map((r) => r.compiled.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `config file ${shown}: two rollups are named '${dup}' (give each rollup a unique name)`,
      { details: { path, rollup: dup } },
    );
  }
  return { path, config };
}

function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
