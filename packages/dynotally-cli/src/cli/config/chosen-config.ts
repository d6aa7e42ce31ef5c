import { DynotallyError } from 'dynotally';
import { type LoadedConfig, loadConfig, referenceConfig } from './load-config.ts';
import type { GlobalFlags } from './settings.ts';

/**
 * Loads the configuration a command runs with. With `--reference`: the five reference rollups of the dev stack's
 * scenarios ({@link referenceConfig}), reading no file — neither `./dynotally.config.*` nor `DYNOTALLY_CONFIG` (a
 * flag wins over the environment) —, so the tables, endpoint and region come from the flags, the environment and
 * the defaults. Otherwise the file of `--config`, else of `DYNOTALLY_CONFIG` (empty counts as unset), else one found
 * in `cwd` ({@link loadConfig}).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for `--reference` given with `--config` (each says where the rollups
 *   come from), and whatever {@link loadConfig} throws for the file.
 * @example
 * ```ts
 * const { config, path } = await loadChosenConfig({ reference: true }, process.env, process.cwd());
 * path; // undefined: the reference rollups (jobs, scans, favourites, energy, store)
 * ```
 */
export async function loadChosenConfig(
  flags: Pick<GlobalFlags, 'config' | 'reference'>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<LoadedConfig> {
  if (flags.reference === true) {
    if (flags.config !== undefined) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `--reference and --config ${flags.config} both say which rollups to use: give one (--reference: the dev stack's reference rollups, read from no file; --config: your configuration file)`,
        { details: { config: flags.config } },
      );
    }
    return referenceConfig();
  }
  return loadConfig(flags.config ?? (env.DYNOTALLY_CONFIG || undefined), cwd);
}
