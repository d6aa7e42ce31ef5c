import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryOptions } from '../apply/retry.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { HISTORY_BUMP_MS } from './history-timing.ts';
import { recordRetention } from './record-retention.ts';

/**
 * What a write process remembers of the retentions it recorded: before its first write, and again once its own
 * clock passed {@link HISTORY_BUMP_MS} since the last record, each rollup with a finite retention has its
 * entries written to the rollup's history item (`~ret#<rollup>`), so a query knows which TTLs the rows may
 * carry. A failed record throws: the caller fails its batch, which is retried, and no row is ever written under
 * a retention the history does not hold. Rollups kept forever cost nothing.
 *
 * @example
 * ```ts
 * const recorder = new RetentionRecorder({ client, table: 'aggregates', rollups: [jobs.compiled] });
 * await recorder.ensure(Date.now()); // before writing rows
 * ```
 */
export class RetentionRecorder {
  private readonly finite: readonly CompiledRollup[];
  private recordedAt: number | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly table: string;
      readonly rollups: readonly CompiledRollup[];
      readonly retry?: RetryOptions | undefined;
    },
  ) {
    this.finite = options.rollups.filter((r) => [...r.retentionMs.values()].some(Number.isFinite));
  }

  /** Records the retentions when never recorded or last recorded {@link HISTORY_BUMP_MS} ago or more. */
  async ensure(now: number): Promise<void> {
    if (this.finite.length === 0) return;
    if (this.recordedAt !== undefined && now - this.recordedAt < HISTORY_BUMP_MS && now >= this.recordedAt)
      return;
    this.pending ??= this.record(now).finally(() => {
      this.pending = undefined;
    });
    await this.pending;
  }

  private async record(now: number): Promise<void> {
    const { client, table, retry } = this.options;
    await Promise.all(
      this.finite.map((r) => recordRetention(client, table, r.name, r.retentionMs, now, retry)),
    );
    this.recordedAt = now;
  }
}
