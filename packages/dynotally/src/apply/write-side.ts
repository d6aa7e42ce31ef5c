import type { DynamoDBRecord } from 'aws-lambda';
import type { ProbeStrategy } from '../dead-letter/pending-rows.ts';
import type { CompiledRollup } from '../definition/index.ts';
import type { ApplyInput, ApplyMode, ApplyResult } from './applier.ts';

/**
 * The records the stream worker is about to dead-letter, given to {@link WriteSide.deadLetterProbe}.
 *
 * @example
 * ```ts
 * const input: DeadLetterProbeInput = { records: [record], shardId: 'shardId-1', at: Date.now() };
 * ```
 */
export interface DeadLetterProbeInput {
  /** The records about to be dead-lettered, in sequence order. */
  readonly records: readonly DynamoDBRecord[];
  readonly shardId: string;
  /** The letters' `at` (epoch ms). */
  readonly at: number;
}

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
 * import { createStreamHandler, type WriteSide } from 'dynotally';
 * import { createBufferedApplier } from 'dynotally/redis';
 *
 * const applier: WriteSide = createBufferedApplier({ redis, client, table: 'aggregates', rollups: [storeMetrics] });
 * export const handler = createStreamHandler({ applier, deadLetter: { table: 'dead-letters' } });
 * ```
 */
export interface WriteSide {
  /** The rollups this write side folds, compiled. */
  readonly rollups: readonly CompiledRollup[];
  /**
   * How it applies batches, when it says: `exactly-once` needs one consumer per shard at a time. `createStreamHandler`
   * refuses a write side whose mode differs from the one a deployment set its event source mapping up for
   * (`DYNOTALLY_MODE`); undefined is not checked.
   */
  readonly mode?: ApplyMode | undefined;
  /** Folds and applies one batch of one shard. */
  apply(input: ApplyInput): Promise<ApplyResult>;
  /**
   * Asked by the stream worker right before it dead-letters records it skips (after their last attempt, before
   * anything later is applied to the shard): records what the write side must hold before the shard moves past
   * them, and says how to probe what they left behind. The versioned write side settles the records' claims in the
   * versions under backfill here (a later record of the item must find the claim as if these had been counted; their
   * replay then decides the same). Without it the worker probes a built-in `Applier` by its strategy, and counts
   * every row of any other write side as pending.
   */
  deadLetterProbe?(input: DeadLetterProbeInput): Promise<DeadLetterProbe>;
}
