import { existsSync } from 'node:fs';
import { basename, extname, relative, resolve } from 'node:path';
import { DynotallyError } from 'dynotally';
import { referenceRollups } from '../../scenarios/rollups.ts';
import { zodToError } from '../errors/zod-issue.ts';
import { checkAlsoWrite } from './also-write.ts';
import { configSchema, isRollup } from './config-schema.ts';
import type { DynotallyConfig } from './define-config.ts';
import { importConfig } from './import-config.ts';
import { loadFailureReason } from './load-failure.ts';

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
 * The configuration of the five reference rollups (those of the dev stack's scenarios), read from no file: what
 * a command uses without a config file, and with `--reference`.
 *
 * @example
 * ```ts
 * referenceConfig().config.rollups.map((r) => r.compiled.name); // ['jobs', 'scans', 'favourites', 'energy', 'store']
 * ```
 */
export function referenceConfig(): LoadedConfig {
  return { path: undefined, config: { rollups: referenceRollups } };
}

/**
 * A configuration and where it came from.
 *
 * @example
 * ```ts
 * const { path, config } = await loadConfig(undefined, process.cwd()); // path undefined → the reference rollups
 * ```
 */
export interface LoadedConfig {
  /** Absolute path of the file, or `undefined` for the built-in reference rollups. */
  path: string | undefined;
  config: DynotallyConfig;
}

/**
 * Loads a configuration file with a dynamic `import()` (a TypeScript file through tsx: {@link importConfig}, in
 * an ES module package or a CommonJS one) and validates it. The module's default export (or a named `config`) is
 * the configuration; a module without one contributes every rollup it exports, and is refused when it exports a
 * key of the configuration by name (`tables`, `endpoint`, `mode`, …: they would be dropped). Without a file — none
 * given and no `dynotally.config.*` in `cwd` — the five reference rollups are used.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a missing file, one that fails to load, a bad shape, or
 * configuration keys exported by name without a default export.
 * @example
 * ```ts
 * const { config, path } = await loadConfig('dynotally.config.ts', process.cwd());
 * console.log(path, config.rollups.map((r) => r.name));
 * ```
 */
export async function loadConfig(file: string | undefined, cwd: string): Promise<LoadedConfig> {
  const path = file === undefined ? findConfigFile(cwd) : resolve(cwd, file);
  if (path === undefined) return referenceConfig();
  const shown = relative(cwd, path) || path;
  if (!existsSync(path)) {
    // `--config reference` (or DYNOTALLY_CONFIG=reference) meant the reference rollups: that is a flag of its own
    const meant = /^reference$/i.test(basename(path, extname(path)))
      ? "; for the dev stack's reference rollups, give --reference instead of a file"
      : '';
    throw new DynotallyError(
      'CONFIG_INVALID',
      `config file ${shown} does not exist (check --config / DYNOTALLY_CONFIG, or create it: see docs/cli.md in the dynotally-cli package${meant})`,
      { details: { path } },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importConfig(path);
  } catch (cause) {
    const reason = loadFailureReason(cause, path, shown);
    throw new DynotallyError(
      'CONFIG_INVALID',
      `config file ${shown} could not be loaded: ${reason} (fix the file; --verbose shows the full error)`,
      { details: { path }, cause },
    );
  }
  const exported = mod.default ?? mod.config ?? rollupsOnly(mod, shown);
  const parsed = configSchema.safeParse(exported);
  if (!parsed.success) {
    throw zodToError(parsed.error, {
      where: `config file ${shown}`,
      fix: 'export default defineConfig({ rollups: [...] }), see docs/cli.md in the dynotally-cli package',
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
  checkAlsoWrite(config, shown);
  return { path, config };
}

/**
 * A module without a default export or `config`: the rollups it exports. Refused with `CONFIG_INVALID` when it
 * exports keys of the configuration by name (`export const tables = …`): they would be dropped without a word
 * (default tables, no endpoint — so AWS —, exactly-once).
 */
function rollupsOnly(mod: Record<string, unknown>, shown: string): { rollups: unknown[] } {
  const keys = Object.keys(configSchema.shape).filter((k) => k in mod);
  if (keys.length > 0) {
    const others = keys.filter((k) => k !== 'rollups').map((k) => `, ${k}`);
    throw new DynotallyError(
      'CONFIG_INVALID',
      `config file ${shown} exports ${keys.join(', ')} by name, without a default export: named exports are not read as settings (only the rollups it exports would be used, the rest dropped). Export them as the default: export default defineConfig({ rollups: [...]${others.join('')} }) (see docs/cli.md in the dynotally-cli package)`,
      { details: { path: shown, exports: keys } },
    );
  }
  return { rollups: Object.values(mod).filter(isRollup) };
}

function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
