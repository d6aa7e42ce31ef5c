import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { RowWrite } from '../plan/index.ts';
import { roundBackoff, withRetry } from './retry.ts';
import { retrying } from './write-extrema.ts';
import type { PartiqlState } from './write-options.ts';
import type { RowWriteContext } from './write-rows.ts';

/** DynamoDB's limit of keys in one `BatchGetItem`. */
const MAX_KEYS = DYNAMO_LIMITS.batchGetKeys;
/** Requests for the keys a `BatchGetItem` left unprocessed (throttling) before giving up this batch's samples. */
const MAX_ROUNDS = 4;

/**
 * Reads back the sampled rows a PartiQL write just wrote, to learn what the `UpdateItem` path learns from a
 * sampled write's old row (`ReturnValues: ALL_OLD`, which PartiQL cannot return on success): the shard states
 * past the redelivery horizon to prune at the row's next write ({@link PruneHints}), and rows whose states are
 * over the budget, marked transactional after the batch's per-row writes. Consistent `BatchGetItem`s of up to
 * 100 rows, usually one request a batch, instead of one `UpdateItem` request per sampled row (one row in
 * `pruneSampleEvery`): on the e2e bench those were more requests than the batches of 25 rows themselves.
 *
 * The row as read is the row after this write (the transactional memory needs no correction for it, unlike an
 * old row). Learning is a hint: a row the read leaves unprocessed after a few tries is learnt at a later sample;
 * a store that refuses the read (`AccessDeniedException`: a role without `dynamodb:BatchGetItem`) turns it off
 * for this applier (`partiql.readBack`), and sampled rows go through `UpdateItem` again.
 *
 * @example
 * ```ts
 * await readBackSampled(sampledRows, ctx, ctx.partiql);
 * ```
 */
export async function readBackSampled(
  rows: readonly Pick<RowWrite, 'rollup' | 'pk' | 'sk'>[],
  ctx: RowWriteContext,
  partiql: PartiqlState,
): Promise<void> {
  const eo = ctx.exactlyOnce;
  if (eo === undefined || rows.length === 0) return;
  const byKey = new Map<string, Pick<RowWrite, 'rollup' | 'pk' | 'sk'>>();
  for (const row of rows) byKey.set(`${row.pk}\u0000${row.sk}`, row);
  const all = [...byKey.values()];
  for (let i = 0; i < all.length; i += MAX_KEYS) {
    let keys: Record<string, AttributeValue>[] = all
      .slice(i, i + MAX_KEYS)
      .map((r) => ({ pk: { S: r.pk }, sk: { S: r.sk } }));
    for (let round = 0; keys.length > 0 && round < MAX_ROUNDS; round++) {
      if (round > 0) await roundBackoff(round);
      const input = {
        RequestItems: { [ctx.table]: { Keys: keys, ConsistentRead: true } },
        ReturnConsumedCapacity: 'TOTAL' as const,
      };
      let out: BatchGetItemCommandOutput;
      try {
        out = await withRetry(() => ctx.client.send(new BatchGetItemCommand(input)), retrying(ctx));
      } catch (e) {
        if ((e as Error)?.name !== 'AccessDeniedException') throw e;
        partiql.readBack = false; // no read permission: sampled rows go through UpdateItem from now on
        return;
      }
      ctx.report.readRequests++;
      for (const c of out.ConsumedCapacity ?? []) ctx.report.readUnits += c.CapacityUnits ?? 0;
      for (const item of out.Responses?.[ctx.table] ?? []) {
        const rowKey = `${item.pk?.S}\u0000${item.sk?.S}`;
        const row = byKey.get(rowKey);
        if (row === undefined) continue;
        eo.hints.learn(rowKey, item, eo.attrs, ctx.now);
        if (eo.transactional?.rows.learn(rowKey, item))
          eo.transactional.toMark.set(rowKey, { rollup: row.rollup, pk: row.pk, sk: row.sk });
      }
      keys = out.UnprocessedKeys?.[ctx.table]?.Keys ?? [];
    }
  }
}
