import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { type Operation, toImage } from '../workload/index.ts';

/** Options for {@link loadSource}. */
export interface LoadSourceOptions {
  /** `BatchWriteItem` calls in flight; default 8. */
  concurrency?: number;
}

/** How the source table was written. */
export interface LoadSourceResult {
  operations: number;
  requests: number;
  seconds: number;
  operationsPerSecond: number;
}

const BATCH_LIMIT = 25;

/**
 * Writes the workload's operations to the source table with `BatchWriteItem` (25 items a call,
 * `concurrency` calls in flight), so its stream records what the table went through. A key is never
 * written twice in one call nor by two calls in flight at once, so the final table and the order of
 * each key's stream records are those of `ops`; unprocessed items are retried before moving on.
 *
 * @example
 * ```ts
 * await loadSource(client, 'bench-source', generateWorkload({ seed: 1, events: 5_000 }));
 * ```
 */
export async function loadSource(
  client: DynamoDBClient,
  table: string,
  ops: readonly Operation[],
  options: LoadSourceOptions = {},
): Promise<LoadSourceResult> {
  const concurrency = options.concurrency ?? 8;
  const started = performance.now();
  let requests = 0;
  const send = async (batch: WriteRequest[]): Promise<void> => {
    let pending: WriteRequest[] | undefined = batch;
    for (let attempt = 0; pending !== undefined && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      requests++;
      const out: BatchWriteItemCommandOutput = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
      );
      pending = out.UnprocessedItems?.[table];
    }
  };
  // Waves of up to `concurrency` calls whose keys are pairwise disjoint; each wave waits for the last.
  let wave: WriteRequest[][] = [];
  let waveKeys = new Set<string>();
  let batch: WriteRequest[] = [];
  const flushWave = async (): Promise<void> => {
    if (batch.length > 0) wave.push(batch);
    batch = [];
    await Promise.all(wave.map(send));
    wave = [];
    waveKeys = new Set();
  };
  for (const op of ops) {
    const key = op.op === 'put' ? op.item.pk : op.key.pk;
    if (waveKeys.has(key)) await flushWave();
    waveKeys.add(key);
    batch.push(
      op.op === 'put'
        ? { PutRequest: { Item: toImage(op.item) as Record<string, AttributeValue> } }
        : { DeleteRequest: { Key: { pk: { S: key } } } },
    );
    if (batch.length === BATCH_LIMIT) {
      wave.push(batch);
      batch = [];
      if (wave.length === concurrency) await flushWave();
    }
  }
  await flushWave();
  const seconds = (performance.now() - started) / 1000;
  return { operations: ops.length, requests, seconds, operationsPerSecond: ops.length / seconds };
}
