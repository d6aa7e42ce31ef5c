import type { ProbeStrategy } from '../dead-letter/pending-rows.ts';
import type { CompiledRollup } from '../definition/index.ts';
import type { ApplyInput, ApplyResult } from './applier.ts';

/**
 * How to find the rows a record the stream worker skips has not reached (`pendingRowsOf`): the write side's
 * exactly-once strategy and the rollups as it writes them (each version under its key prefix).
 *
 * @example
 * ```ts
 * const probe: DeadLetterProbe = { strategy: 'row-watermark', rollups: [asVersion(orders.compiled, 2)] };
 * ```
 */
export interface DeadLetterProbe {
  readonly strategy: ProbeStrategy;
  readonly rollups: readonly CompiledRollup[];
}

/**
 * A ready write side: what the stream handler and the worker need from an applier — the compiled rollups it
 * folds and an `apply` of one shard's batch. Both the direct {@link Applier} and the Redis `BufferedApplier`
 * (`dynotally/redis`) satisfy it; pass one as `applier` to `createStreamHandler` or `createStreamWorker` to
 * write somewhere other than straight to DynamoDB.
 *
 * `apply` must be exactly-once per shard when the records carry the shard id (a redelivered batch changes
 * nothing), reject the batch (throw) when it cannot be applied so the stream retries it, and return the records
 * it could not fold as `poison` — the handler sends those to its dead-letter sink.
 *
 * @example
 * ```ts
 * import { createBufferedApplier } from 'dynotally/redis';
 *
 * const applier: WriteSide = createBufferedApplier({ redis, client, table: 'aggregates', rollups: [storeMetrics] });
 * export const handler = createStreamHandler({ applier, deadLetter: { table: 'dead-letters' } });
 * ```
 */
export interface WriteSide {
  /** The rollups this write side folds, compiled. */
  readonly rollups: readonly CompiledRollup[];
  /** Folds and applies one batch of one shard. */
  apply(input: ApplyInput): Promise<ApplyResult>;
  /**
   * How the stream worker probes what a record it skips left behind, asked right after the record's last attempt
   * (before anything later is applied to the shard). Without it the worker probes a built-in `Applier` by its
   * strategy, and counts every row of any other write side as pending.
   */
  deadLetterProbe?(): Promise<DeadLetterProbe>;
}
