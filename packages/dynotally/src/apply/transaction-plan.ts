import type { AttributeValue, TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import { Coalescer, type Folder } from '../fold/index.ts';
import { planRow, type RowWrite } from '../plan/index.ts';
import { requestToken } from './request-token.ts';
import { appliedSeq } from './shard-state.ts';
import { TRANSACTION_BYTES_BUDGET, WATERMARK_ITEM_BYTES } from './transaction-bytes.ts';
import { cutChunk, MAX_TRANSACTION_ITEMS, type RowSizes, rowBytes } from './transaction-cut.ts';
import { rowItem, type TransactionItemsContext, watermarkItem } from './transaction-items.ts';
import { wholeRollupsWithin } from './transaction-parts.ts';
import { DEFAULT_STATE_BUDGET_BYTES } from './transactional-rows.ts';
import type { StoredWatermark } from './transactional-watermark.ts';
import { watermarkOnlyWrite } from './watermark-only.ts';

/**
 * A row to write through the transaction path, with the stored row when the store just returned it.
 *
 * @example
 * ```ts
 * const row: TransactionalRow = { rollup: 'orders', pk: 'orders#ss-1', sk: 'D2026-11-22' };
 * ```
 */
export interface TransactionalRow {
  /** The row's rollup (its storage name: a version's own name under `createVersionedWriteSide`). */
  readonly rollup: string;
  readonly pk: string;
  readonly sk: string;
  readonly item?: Record<string, AttributeValue> | undefined;
}

/**
 * What the pure planning of the transactions needs: what their items are built from, and the folder.
 *
 * @example
 * ```ts
 * const ctx: TransactionPlanContext = { table, now, source, shardId, attrs: shardStateAttrs(source, shardId), folder };
 * ```
 */
export interface TransactionPlanContext extends TransactionItemsContext {
  folder: Folder;
}

/**
 * One transactional row's write for a chunk: its key (`pk\u0000sk`), the write, the bytes it counts for, and
 * `skip` when its deltas cancel out and the row is known marked (only its rollup's watermark item moves).
 *
 * @example
 * ```ts
 * const w: PlannedWrite = { key: 'orders#ss-1\u0000D2026-11-22', row, bytes: 1_200 };
 * ```
 */
export interface PlannedWrite {
  key: string;
  row: RowWrite;
  bytes: number;
  skip?: boolean;
}

/**
 * Each transactional row's write for the chunk: the records after the larger of the watermark item and the
 * row's own state (rows sharing a start are folded together).
 *
 * @example
 * ```ts
 * const planned = planChunk(chunk, keys, own, stored, sizes, ctx, (key) => rows.marked(key));
 * ```
 */
export function planChunk(
  chunk: readonly Change[],
  keys: ReadonlyMap<string, { pk: string; sk: string; rollup: string }>,
  own: ReadonlyMap<string, Record<string, AttributeValue>>,
  stored: ReadonlyMap<string, StoredWatermark>,
  sizes: RowSizes,
  ctx: TransactionPlanContext,
  marked: (key: string) => boolean = () => false,
): PlannedWrite[] {
  const byStart = new Map<string, string[]>();
  for (const [key, { rollup }] of keys) {
    const applied = appliedSeq(own.get(key), ctx.attrs);
    let start = stored.get(rollup)?.seq ?? '';
    if (applied !== undefined && applied > start) start = applied;
    const group = byStart.get(start) ?? [];
    group.push(key);
    byStart.set(start, group);
  }
  const out: PlannedWrite[] = [];
  for (const [start, group] of byStart) {
    const co = new Coalescer();
    for (const ch of chunk) if (ch.sequenceNumber > start) ctx.folder.fold(ch, co);
    for (const key of group) {
      const { pk, sk } = keys.get(key) as { pk: string; sk: string };
      const acc = co.get(pk, sk);
      if (acc === undefined) continue;
      const counted = planRow(acc, { now: ctx.now });
      const row = counted ?? watermarkOnlyWrite(acc, ctx.now);
      if (row === undefined) continue;
      // deltas that cancel out: the rollup's watermark item moving past the chunk keeps a partial redelivery out
      // of the row; the row itself is written only for its marker, which it carries already when known marked
      const skip = counted === undefined && marked(key);
      out.push({
        key,
        row,
        bytes: skip ? 0 : rowBytes(key, acc, acc.attrs, sizes),
        ...(skip ? { skip } : {}),
      });
    }
  }
  return out;
}

/**
 * The `TransactWriteItems` {@link writeTransactionalRows} sends for `targets` when the store holds none of this
 * shard's states on them and every transaction commits: the dry run of the `transaction` strategy
 * (`plannedSends`). `stored` is each rollup's watermark item as read (missing: absent), and is moved as the
 * transactions would move it, so a next part of the batch is conditioned on it. `stateBudgetBytes` is the
 * applier's (rows of unknown size are counted at their kind's bound plus it, as apply counts them). `marked` holds
 * the rows earlier parts wrote (so marked: a row of them whose deltas cancel out is not written again, as in apply),
 * and gains this part's. Pure but for `stored` and `marked`.
 *
 * @example
 * ```ts
 * const inputs = plannedTransactions(rows, changes, new Map(), { table, now, source, shardId, attrs, folder });
 * ```
 */
export function plannedTransactions(
  targets: readonly TransactionalRow[],
  changes: readonly Change[],
  stored: Map<string, string | undefined>,
  ctx: TransactionPlanContext,
  stateBudgetBytes = DEFAULT_STATE_BUDGET_BYTES,
  marked: Set<string> = new Set(),
): TransactWriteItemsCommandInput[] {
  const keys = new Map<string, { pk: string; sk: string; rollup: string }>();
  for (const t of targets) keys.set(`${t.pk}\u0000${t.sk}`, { pk: t.pk, sk: t.sk, rollup: t.rollup });
  const marks = new Map<string, StoredWatermark>();
  for (const [r, seq] of stored) marks.set(r, { seq });
  // rows of unknown size, as apply counts them: their kind's bound plus the applier's state budget
  const sizes: RowSizes = { items: new Map(), added: new Map(), stateBytes: stateBudgetBytes };
  const out: TransactWriteItemsCommandInput[] = [];
  let pending = changes;
  while (pending.length > 0) {
    const chunk = cutChunk(pending, keys, sizes, ctx.folder);
    const last = (chunk[chunk.length - 1] as Change).sequenceNumber;
    const planned = planChunk(chunk, keys, new Map(), marks, sizes, ctx, (k) => marked.has(k));
    const writes = wholeRollupsWithin(planned, MAX_TRANSACTION_ITEMS, {
      budget: TRANSACTION_BYTES_BUDGET,
      perRollup: WATERMARK_ITEM_BYTES,
    });
    // nothing to write, or a record whose rows of one rollup pass 4 MB alone (apply dead-letters it)
    if (writes.length === 0) {
      pending = pending.slice(chunk.length);
      continue;
    }
    const moved = [...new Set(writes.map((w) => w.row.rollup))];
    const sent = writes.filter((w) => !w.skip);
    const items = sent.map(({ row }) => rowItem(row, {}, [], ctx));
    for (const r of moved) items.push(watermarkItem(ctx, r, marks.get(r), last));
    out.push({
      TransactItems: items,
      ClientRequestToken: requestToken(items),
      ReturnConsumedCapacity: 'INDEXES',
    });
    for (const r of moved) {
      marks.set(r, { seq: last });
      stored.set(r, last);
    }
    for (const { key } of sent) marked.add(key);
    if (writes.length === planned.length) pending = pending.slice(chunk.length);
  }
  return out;
}
