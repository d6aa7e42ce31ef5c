import { DynotallyError } from '../errors/index.ts';
import { shownValue } from '../strings/shown-value.ts';
import type { MeasureDef } from './measures.ts';
import type { GroupBySpec, RollupConfig } from './types.ts';

/** Longest `functionsVersion` accepted: it is a name, not a place for the code. */
const MAX_LENGTH = 128;

/**
 * Checks a rollup's `functionsVersion`: absent, or a non-empty name of at most 128 characters on a rollup that
 * has a function to name (`match`, `groupBy` or a measure's `where`). On a rollup without one it would only
 * change the fingerprint, so it is refused rather than silently making a new version. Returns how the
 * fingerprint counts the functions (`CompiledRollup.fingerprintFunctions`).
 *
 * @throws {DynotallyError} `DEFINITION_INVALID`
 * @example
 * ```ts
 * checkFunctionsVersion({
 *   name: 'orders',
 *   match: (i) => i.type === 'order',
 *   functionsVersion: '2',
 *   groupBy: 'storeId',
 *   granularities: ['day'],
 *   measures: { n: count() },
 * }); // 'named'
 * ```
 */
export function checkFunctionsVersion(
  config: RollupConfig<GroupBySpec, Record<string, MeasureDef>>,
): 'none' | 'source' | 'named' {
  const v = config.functionsVersion;
  if (v === undefined) return hasFunctions(config) ? 'source' : 'none';
  const name = config.name;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_LENGTH)
    throw new DynotallyError(
      'DEFINITION_INVALID',
      `rollup '${name}': functionsVersion must be a name of 1–${MAX_LENGTH} characters, such as '2026-11-a', not ${shownValue(v)}`,
      { details: { rollup: name } },
    );
  if (!hasFunctions(config))
    throw new DynotallyError(
      'DEFINITION_INVALID',
      `rollup '${name}': functionsVersion names what the definition's functions do, but its match, groupBy and measure filters are none of them functions: remove functionsVersion (setting it would only make a new version)`,
      { details: { rollup: name } },
    );
  return 'named';
}

function hasFunctions(config: RollupConfig<GroupBySpec, Record<string, MeasureDef>>): boolean {
  return (
    typeof config.match === 'function' ||
    typeof config.groupBy === 'function' ||
    typeof (config.groupBy as { fn?: unknown } | null)?.fn === 'function' ||
    Object.values(config.measures).some((m) => typeof m?.options?.where === 'function')
  );
}
