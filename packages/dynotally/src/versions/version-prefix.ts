import type { CompiledRollup } from '../definition/index.ts';

/**
 * The partition-key prefix of a rollup version's rows: the rollup's name for its first version (the key format
 * rows had before versions existed), `<name>.v<n>` for later ones. Rollup names cannot contain `.` or `#`, so
 * the prefix is injective: no version's rows can collide with another version's or another rollup's.
 *
 * @example
 * ```ts
 * versionKeyPrefix('store', 1); // 'store'
 * versionKeyPrefix('store', 2); // 'store.v2'
 * ```
 */
export function versionKeyPrefix(rollup: string, version: number): string {
  return version === 1 ? rollup : `${rollup}.v${version}`;
}

/**
 * A rollup's compiled form writing (and read) under a version's key prefix. Everything that builds keys
 * (`pk`, leaderboard `lbk`) uses the compiled `name`, so version 1 is the rollup itself.
 *
 * @example
 * ```ts
 * asVersion(storeMetrics.compiled, 2).name; // 'store.v2'
 * ```
 */
export function asVersion(compiled: CompiledRollup, version: number): CompiledRollup {
  if (version === 1) return compiled;
  return Object.freeze({ ...compiled, name: versionKeyPrefix(compiled.name, version) });
}
