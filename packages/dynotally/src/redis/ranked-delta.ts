import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';

/**
 * The delta of the leaderboard's measure among a flushed row's non-zero additions, when the rollup ranks the row's
 * kind: the value its leaderboard entry (`lbv`) carries; `undefined` when the row carries none (kind not ranked, no
 * leaderboard, or no non-zero delta of the ranked measure in the bucket). The one test of "ranked" for both the
 * flusher (`rowsFromCells`, whose `leaderboard` decides where `rowParts` cuts) and a live read's cut of the same
 * cells (`flushWrites`), so the two cannot drift apart.
 *
 * @example
 * ```ts
 * rankedDelta(rollup, kind, [['n', '3'], ['sum', '12']]); // '3' when the leaderboard ranks by the measure stored as 'n'
 * ```
 */
export function rankedDelta<V>(
  rollup: CompiledRollup,
  kind: CompiledRowKind,
  adds: ReadonlyArray<readonly [string, V]>,
): V | undefined {
  const lb = rollup.leaderboard;
  if (!kind.ranked || lb === undefined) return undefined;
  const storeAs = rollup.measures.find((m) => m.name === lb.measure)?.storeAs;
  if (storeAs === undefined) return undefined;
  return adds.find(([attr]) => attr === storeAs)?.[1];
}
