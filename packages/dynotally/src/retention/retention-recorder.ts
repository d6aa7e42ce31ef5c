import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryOptions } from '../apply/retry.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { HISTORY_BUMP_MS } from './history-timing.ts';
import { type RecordedRetention, recordRetention } from './record-retention.ts';

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
 * const wrote = await recorder.ensure(Date.now()); // before writing rows; wrote.writeUnits for a report
 * ```
 */
export class RetentionRecorder {
  private readonly finite: readonly CompiledRollup[];
  private recordedAt: number | undefined;
  private pending: Promise<RecordedRetention> | undefined;

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

  /**
   * Records the retentions when never recorded or last recorded {@link HISTORY_BUMP_MS} ago or more. Returns what
   * this call wrote (for the caller's report): nothing when it had nothing to record, or waited on a record
   * another call had started.
   */
  async ensure(now: number): Promise<RecordedRetention> {
    if (this.finite.length === 0) return { writeUnits: 0, requests: 0 };
    if (this.recordedAt !== undefined && now - this.recordedAt < HISTORY_BUMP_MS && now >= this.recordedAt)
      return { writeUnits: 0, requests: 0 };
    if (this.pending !== undefined) {
      await this.pending;
      return { writeUnits: 0, requests: 0 };
    }
    const pending = this.record(now).finally(() => {
      this.pending = undefined;
    });
    this.pending = pending;
    return pending;
  }

  private async record(now: number): Promise<RecordedRetention> {
    const { client, table, retry } = this.options;
    const each = await Promise.all(
      this.finite.map((r) => recordRetention(client, table, r.name, r.retentionMs, now, retry)),
    );
    this.recordedAt = now;
    const wrote: RecordedRetention = { writeUnits: 0, requests: 0 };
    for (const w of each) {
      wrote.writeUnits += w.writeUnits;
      wrote.requests += w.requests;
    }
    return wrote;
  }
}
