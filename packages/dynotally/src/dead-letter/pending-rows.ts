import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { rowHash } from '../apply/exclusions.ts';
import { mapLimit } from '../apply/map-limit.ts';
import { takeBackMarkerAttr } from '../apply/prune-hints.ts';
import { withRetry } from '../apply/retry.ts';
import { appliedSeq, shardStateAttrs } from '../apply/shard-state.ts';
import { readShardWatermark } from '../apply/shard-watermark.ts';
import { TRANSACTIONAL_ATTR } from '../apply/transactional-marker.ts';
import { isTransactionalItem } from '../apply/transactional-rows.ts';
import { readTransactionalWatermark } from '../apply/transactional-watermark.ts';
import { batchStream } from '../decode/one-stream.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { foldBatch } from '../fold/index.ts';
import { planWrites } from '../plan/index.ts';
import type { DeadLetterRow } from './dead-letter.ts';

/**
 * How the write side that failed keeps exactly-once, which decides what a dead-lettered record may have left
 * behind: `row-watermark` and `transaction` (rows partly applied: probe each row's state, and for a row marked
 * transactional its rollup's watermark item; `transaction` also honours the shard's legacy `~wm#` item of earlier
 * versions, past which every row holds the record), `all-or-nothing` (the Redis buffer, at-least-once: nothing of
 * a failed batch is known to be in the table, so every row is pending).
 *
 * @example
 * ```ts
 * const strategy: ProbeStrategy = 'row-watermark';
 * ```
 */
export type ProbeStrategy = 'row-watermark' | 'transaction' | 'all-or-nothing';

/**
 * What {@link pendingRowsOf} needs.
 *
 * @example
 * ```ts
 * const input: PendingRowsInput = { client, table: 'aggregates', rollups, strategy: 'row-watermark', source: streamArn, shardId, record };
 * ```
 */
export interface PendingRowsInput {
  readonly client: DynamoDBClient;
  /** The aggregate table. */
  readonly table: string;
  readonly rollups: readonly CompiledRollup[];
  readonly strategy: ProbeStrategy;
  /**
   * The stream ARN (the record's `eventSourceARN` wins when it names one; one missing or empty is the batch's stream,
   * as the batch's state is keyed: `batchStream`).
   */
  readonly source: string;
  readonly shardId: string;
  readonly record: DynamoDBRecord;
  readonly now?: number | undefined;
  /**
   * Rows that refused the record for good ({@link rowHash}es, from its exclusion): pending whatever their state, which
   * a later record of the delivery that refused it may have moved past it.
   */
  readonly refused?: ReadonlySet<string> | undefined;
}

/**
 * The rows a record about to be dead-lettered has not reached yet, read with consistent reads. Call it
 * before anything after the record is applied to its shard (the stream worker does, before it checkpoints
 * past the record): a row whose watermark for the shard is at or past the record's sequence number then
 * holds the record. `undefined` means every row the record touches (a record that does not fold touched
 * none; with `all-or-nothing` nothing of it is in the table).
 *
 * @example
 * ```ts
 * const pendingRows = await pendingRowsOf({ client, table, rollups, strategy: 'row-watermark', source, shardId, record });
 * await sink.send([{ ...letter, pendingRows }]);
 * ```
 */
export async function pendingRowsOf(input: PendingRowsInput): Promise<readonly DeadLetterRow[] | undefined> {
  if (input.strategy === 'all-or-nothing') return undefined;
  const fold = foldBatch(input.rollups, [input.record], { shardId: input.shardId });
  const change = fold.changes[0];
  if (fold.poison.length > 0 || change === undefined) return undefined;
  // the state its batch moved: a record naming no stream (eventSourceARN missing or '') is keyed by the stream the
  // batch names (`batchStream`), which callers pass as `source` (review s39z)
  const source = batchStream([input.record]) || input.source;
  const seq = change.sequenceNumber;
  if (input.strategy === 'transaction') {
    // the transaction strategy of earlier versions committed every record up to its item in all of its rows
    const wm = await withRetry(() => readShardWatermark(input.client, input.table, source, input.shardId));
    if (wm !== undefined && wm >= seq) return [];
  }
  const rows = planWrites(fold.coalescer, { now: input.now ?? Date.now() }).rows.map((r) => ({
    rollup: r.rollup,
    pk: r.pk,
    sk: r.sk,
  }));
  const attrs = shardStateAttrs(source, input.shardId);
  // a row an earlier delivery took the record back from (a refused record, its take-backs cut short and the rest
  // dead-lettered late) holds the shard's state past it and the record's take-back marker: it does not hold the
  // record, so it is pending (read while the marker lives: `staleStatesOf`)
  const marker = takeBackMarkerAttr(attrs.legacy, seq);
  const has = new Array<boolean>(rows.length).fill(false);
  const transactional = new Array<boolean>(rows.length).fill(false);
  const givenBack = new Array<boolean>(rows.length).fill(false);
  const refused = rows.map((r) => input.refused?.has(rowHash(`${r.pk}\u0000${r.sk}`)) === true);
  await mapLimit(rows, 8, async (row, i) => {
    let w: string | undefined;
    try {
      const out = await withRetry(() =>
        input.client.send(
          new GetItemCommand({
            TableName: input.table,
            Key: { pk: { S: row.pk }, sk: { S: row.sk } },
            ConsistentRead: true,
            ProjectionExpression: '#w, #l, #x, #m',
            ExpressionAttributeNames: {
              '#w': attrs.attr,
              '#l': attrs.legacy,
              '#x': TRANSACTIONAL_ATTR,
              '#m': marker,
            },
          }),
        ),
      );
      w = appliedSeq(out.Item, attrs);
      givenBack[i] = out.Item?.[marker] !== undefined;
      transactional[i] = isTransactionalItem(out.Item);
    } catch (e) {
      // a key DynamoDB rejects (too long) names a row that was never written: it is pending
      if ((e as { name?: string }).name !== 'ValidationException') throw e;
    }
    has[i] = w !== undefined && w >= seq && !givenBack[i] && !refused[i];
  });
  // a row past the state budget holds the shard's records up to its rollup's watermark item for such rows too
  const held = new Map<string, boolean>();
  for (const [i, row] of rows.entries()) {
    if (!transactional[i] || has[i] || givenBack[i] || refused[i]) continue;
    let h = held.get(row.rollup);
    if (h === undefined) {
      const { seq: wt } = await withRetry(() =>
        readTransactionalWatermark(input.client, input.table, source, input.shardId, row.rollup),
      );
      h = wt !== undefined && wt >= seq;
      held.set(row.rollup, h);
    }
    has[i] = h;
  }
  return rows.filter((_, i) => !has[i]).map(({ pk, sk }) => ({ pk, sk }));
}
