import type { CompiledRollup, GroupValue } from '../definition/index.ts';
import type { Num } from '../numbers/index.ts';

/**
 * One not-yet-flushed value of one stored cell, in the same terms as the aggregate table:
 * `granularity` id (`'day'`), `bucket` label (`'D2026-11-22'`), `measure` name (`'orders'`).
 * For `count` and `sum`, `value` is the delta the flush will `ADD`; for `min`, `max` and `last` it is a
 * candidate value (with its event `time`, epoch ms, for `last`) that the flush will offer to the row.
 *
 * @example
 * ```ts
 * const cell: LiveCell = { granularity: 'day', bucket: 'D2026-11-22', measure: 'orders', value: 3 };
 * ```
 */
export interface LiveCell {
  readonly granularity: string;
  readonly bucket: string;
  readonly measure: string;
  readonly value: Num | string | boolean;
  readonly time?: number;
}

/**
 * What the query client asks a live source for one group: every cell of the rollup whose bucket overlaps
 * `[from, to)` (`-Infinity`/`Infinity` for all time), for the granularities and measures listed.
 *
 * @example
 * ```ts
 * const req: LiveCellsRequest = { rollup: storeMetrics.compiled, pk: 'store#ss-1', group: ['s-1'],
 *   from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1), granularities: ['day'], measures: ['orders'] };
 * ```
 */
export interface LiveCellsRequest {
  readonly rollup: CompiledRollup;
  /** The aggregate row partition key of the group (`groupPartitionKey(rollup.name, group)`). */
  readonly pk: string;
  /** The group values in key order. */
  readonly group: readonly GroupValue[];
  readonly from: number;
  readonly to: number;
  readonly granularities: readonly string[];
  readonly measures: readonly string[];
}

/**
 * What the query client asks a live source for a leaderboard: the not-yet-flushed deltas of the ranked
 * measure in one bucket, for every group that has one.
 *
 * @example
 * ```ts
 * const req: LiveRankRequest = { rollup: favourites.compiled, granularity: 'month', bucket: 'M2026-11', measure: 'favourites' };
 * ```
 */
export interface LiveRankRequest {
  readonly rollup: CompiledRollup;
  readonly granularity: string;
  readonly bucket: string;
  readonly measure: string;
}

/**
 * A source of deltas that are counted but not yet in DynamoDB — the seam for the Redis write buffer.
 * The query client merges them into `total`, `series`, `top` and `latest`:
 * it adds a live cell wherever its plan reads the stored cell with the same granularity, bucket and measure
 * (so a live source should report every granularity the flush will write, as the fold does), and for `top`
 * it re-ranks with the stored values of the groups that have live deltas.
 *
 * Contract: a delta must be reported by the live source until — and only until — the flush that writes it
 * to DynamoDB is visible to reads; a bucket is counted either live or stored, never both.
 * Reads of the live source are made after the DynamoDB reads of the same call.
 *
 * @example
 * ```ts
 * const live: LiveSource = {
 *   async cells(req) { return redisBuffer.cellsOf(req.rollup.name, req.pk, req.from, req.to); },
 *   async rankDeltas(req) { return redisBuffer.deltasOf(req.rollup.name, req.bucket, req.measure); },
 * };
 * const query = createQueryClient({ client, table: 'aggregates', rollups: [storeMetrics], liveSource: live });
 * ```
 */
export interface LiveSource {
  /** Not-yet-flushed cells of one group overlapping `[from, to)`. */
  cells(request: LiveCellsRequest): Promise<readonly LiveCell[]>;
  /** Not-yet-flushed deltas of the ranked measure in one bucket, by the group's partition key. */
  rankDeltas(request: LiveRankRequest): Promise<ReadonlyArray<{ readonly pk: string; readonly delta: Num }>>;
}

/**
 * The default live source: nothing is buffered, everything is in DynamoDB.
 *
 * @example
 * ```ts
 * await noLiveSource.cells(req); // []
 * ```
 */
export const noLiveSource: LiveSource = Object.freeze({
  cells: async () => [],
  rankDeltas: async () => [],
});

/**
 * The key a live cell is merged under.
 *
 * @example
 * ```ts
 * liveCellKey('day', 'D2026-11-22', 'orders'); // 'day|D2026-11-22|orders'
 * ```
 */
export function liveCellKey(granularity: string, bucket: string, measure: string): string {
  return `${granularity}|${bucket}|${measure}`;
}
