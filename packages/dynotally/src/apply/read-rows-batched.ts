import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { ApplyReport } from './apply-report.ts';
import { mapLimit } from './map-limit.ts';
import { type RetryOptions, roundBackoff, withRetry } from './retry.ts';
import { retrying } from './write-extrema.ts';

/** Requests for the keys a `BatchGetItem` left unprocessed (throttling) before they are read one by one. */
const MAX_ROUNDS = 4;

/** What {@link readRowsBatched} needs. */
export interface ReadRowsContext {
  client: DynamoDBClient;
  table: string;
  report: ApplyReport;
  retry?: RetryOptions | undefined;
  concurrency?: number | undefined;
}

/**
 * Consistent reads of rows by key, 100 to a `BatchGetItem` (the per-shard transaction path samples one row in
 * `pruneSampleEvery` to learn the states to prune; under the `transaction` strategy every row of a batch is on that
 * path, and one `GetItem` a sampled row was most of its requests). Keys a batch leaves unprocessed after a few
 * rounds, and every key when the role may not `BatchGetItem` (`AccessDeniedException`), are read by `GetItem`.
 * Returns each key's item (absent: no such row), keyed `pk \u0000 sk`.
 *
 * @example
 * ```ts
 * const items = await readRowsBatched([{ pk: 'jobs#sc-1', sk: 'D2026-11-22' }], { client, table, report });
 * ```
 */
export async function readRowsBatched(
  rows: readonly { readonly pk: string; readonly sk: string }[],
  ctx: ReadRowsContext,
): Promise<Map<string, Record<string, AttributeValue> | undefined>> {
  const out = new Map<string, Record<string, AttributeValue> | undefined>();
  const left: Record<string, AttributeValue>[] = [];
  for (let i = 0; i < rows.length; i += DYNAMO_LIMITS.batchGetKeys) {
    let keys: Record<string, AttributeValue>[] = rows
      .slice(i, i + DYNAMO_LIMITS.batchGetKeys)
      .map((r) => ({ pk: { S: r.pk }, sk: { S: r.sk } }));
    for (const k of keys) out.set(`${k.pk?.S}\u0000${k.sk?.S}`, undefined);
    for (let round = 0; keys.length > 0; round++) {
      if (round === MAX_ROUNDS) {
        left.push(...keys);
        break;
      }
      if (round > 0) await roundBackoff(round);
      const input = { RequestItems: { [ctx.table]: { Keys: keys, ConsistentRead: true } } };
      let res: BatchGetItemCommandOutput;
      try {
        res = await withRetry(() => ctx.client.send(new BatchGetItemCommand(input)), retrying(ctx));
      } catch (e) {
        if ((e as Error)?.name !== 'AccessDeniedException') throw e;
        left.push(
          ...keys,
          ...rows.slice(i + DYNAMO_LIMITS.batchGetKeys).map((r) => ({ pk: { S: r.pk }, sk: { S: r.sk } })),
        );
        for (const k of left) out.set(`${k.pk?.S}\u0000${k.sk?.S}`, undefined);
        return readEach(left, ctx, out);
      }
      ctx.report.readRequests++;
      for (const item of res.Responses?.[ctx.table] ?? []) out.set(`${item.pk?.S}\u0000${item.sk?.S}`, item);
      keys = res.UnprocessedKeys?.[ctx.table]?.Keys ?? [];
    }
  }
  return readEach(left, ctx, out);
}

async function readEach(
  keys: readonly Record<string, AttributeValue>[],
  ctx: ReadRowsContext,
  out: Map<string, Record<string, AttributeValue> | undefined>,
): Promise<Map<string, Record<string, AttributeValue> | undefined>> {
  await mapLimit(keys, ctx.concurrency ?? 8, async (Key) => {
    const res = await withRetry(
      () => ctx.client.send(new GetItemCommand({ TableName: ctx.table, Key, ConsistentRead: true })),
      retrying(ctx),
    );
    ctx.report.readRequests++;
    out.set(`${Key.pk?.S}\u0000${Key.sk?.S}`, res.Item);
  });
  return out;
}
