import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Canonical } from '../oracle/canonical.ts';
import { createKeyValueTable, scanCanonical } from './aggregate-table.ts';
import type { Contender, LambdaBatch } from './contender.ts';
import { perEventAdds } from './per-event-adds.ts';
import { runPool } from './pool.ts';

/** Options for {@link createNaiveContender}. */
export interface NaiveContenderOptions {
  /** Aggregate table; default `bench-naive-agg`. */
  tableName?: string;
  /** UpdateItems in flight per batch; default 16. */
  concurrency?: number;
  /** Zone of day, month and year buckets; default `Europe/London`. */
  timeZone?: string;
}

/**
 * The reference systems' approach: one `UpdateItem ADD` per event per granularity on a
 * one-row-per-bucket table, sent through a bounded pool of parallel requests. No coalescing and
 * no dedupe: a redelivered batch is counted again.
 *
 * @example
 * ```ts
 * const naive = createNaiveContender({ concurrency: 32 });
 * await naive.setup(client);
 * await naive.handle({ shardId: 'shard-1', records });
 * ```
 */
export function createNaiveContender(options: NaiveContenderOptions = {}): Contender {
  const tableName = options.tableName ?? 'bench-naive-agg';
  const concurrency = options.concurrency ?? 16;
  let client: DynamoDBClient | undefined;
  return {
    name: 'naive',
    async setup(c: DynamoDBClient): Promise<void> {
      client = c;
      await createKeyValueTable(c, tableName);
    },
    async handle(batch: LambdaBatch): Promise<void> {
      const c = client;
      if (c === undefined) throw new Error('naive contender: call setup(client) before handle()');
      const updates = batch.records.flatMap((record) =>
        perEventAdds(record, { tableName, timeZone: options.timeZone ?? 'Europe/London' }),
      );
      await runPool(updates, concurrency, (input) => c.send(new UpdateItemCommand(input)));
    },
    readCanonical(c: DynamoDBClient): Promise<Canonical> {
      return scanCanonical(c, tableName);
    },
  };
}
