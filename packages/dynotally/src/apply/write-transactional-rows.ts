import {
  type AttributeValue,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import type { Folder } from '../fold/index.ts';
import { transactionUnits } from './capacity.ts';
import {
  type Exclusion,
  type ExclusionContext,
  exclusionTime,
  recordExclusion,
  rowHash,
} from './exclusions.ts';
import { heldByTransactions } from './held-by-transactions.ts';
import { isRowRefusal, isRowTooLarge } from './number-refusal.ts';
import { MAX_PRUNED_PER_WRITE, type PruneHint, staleStatesOf } from './prune-hints.ts';
import { readRowsBatched } from './read-rows-batched.ts';
import { requestToken } from './request-token.ts';
import { withRetry } from './retry.ts';
import { TRANSACTION_BYTES_BUDGET, WATERMARK_ITEM_BYTES } from './transaction-bytes.ts';
import { cancelled, refusalIn } from './transaction-cancellation.ts';
import { failedRowConditions } from './transaction-conditions.ts';
import { cutChunk, MAX_TRANSACTION_ITEMS, type RowSizes } from './transaction-cut.ts';
import { rowItem, watermarkItem } from './transaction-items.ts';
import { wholeRollupsWithin } from './transaction-parts.ts';
import { planChunk, type TransactionalRow } from './transaction-plan.ts';
import { isTransactionalItem, type TransactionalRows } from './transactional-rows.ts';
import { readTransactionalWatermark, type StoredWatermark } from './transactional-watermark.ts';
import { retrying } from './write-extrema.ts';
import { sampledKey } from './write-rows.ts';

const MAX_ATTEMPTS = 12;

/** What {@link writeTransactionalRows} needs: the shard's store and clock as for its exclusions, and more. */
export interface TransactionalWriteContext extends Omit<ExclusionContext, 'rollups'> {
  /** The shard's state attributes on a row (compact, legacy) and the finished shards' states to drop. */
  attrs: { readonly attr: string; readonly legacy: string; readonly drop?: readonly string[] | undefined };
  changes: readonly Change[];
  folder: Folder;
  rows: TransactionalRows;
  /** Sequence numbers of records found poison after the fold (dead-lettered): never counted here. */
  excluded: ReadonlySet<string>;
  /** Where a record refused here is recorded as excluded (the applier's exclusion item). */
  exclusions: ExclusionContext;
  /**
   * States older than this (the redelivery horizon) are dropped from the rows written, each only if unchanged;
   * one row in `sampleEvery` whose states are not known is read first to learn them.
   */
  prune?: { readonly horizonSeconds: number; readonly sampleEvery: number } | undefined;
  /** Rows read in parallel (the sampled rows whose states are not known; default 8). */
  concurrency?: number | undefined;
}

/** A record refused for good, with its change: to be taken back from its per-row rows and dead-lettered. */
export interface RefusedChange {
  readonly change: Change;
  readonly exclusion: Exclusion;
  /** The rows that refused it (`pk\u0000sk`), for the dead letter's reason. */
  readonly rowKeys: readonly string[];
  /**
   * `'transaction'` when no store refused it, but its rows of one rollup may hold more than one transaction may
   * carry (DynamoDB's 4 MB, `TRANSACTION_BYTES_BUDGET`), so it was never sent.
   */
  readonly over?: 'transaction' | undefined;
}

/** Thrown before a send: one record's rows of one rollup may pass the bytes one transaction may carry. */
class OverTransactionBytes extends Error {}

/**
 * Writes the rows of a batch that are transactional (their exactly-once state passed the budget, or another
 * shard already moved them) exactly once, without adding to their state. The shard keeps one watermark item
 * for all its transactional rows; each `TransactWriteItems` adds the deltas of records after
 * `max(watermark item, the row's own state)` to ≤ 99 rows, marks them, removes the shard's own state and its
 * finished ancestors' states from them, and moves the watermark item to the chunk's last record, conditioned on
 * the value read. Must run after the batch's per-row writes have all succeeded: then a watermark item past a
 * record means every row of that record holds it, per-row or transactional, whichever a row is later.
 *
 * @example
 * ```ts
 * await writeTransactionalRows([{ rollup: 'orders', pk, sk, item }], {
 *   client, table, now, report, source, shardId, attrs, changes, folder, rows, excluded: new Set(), exclusions,
 * });
 * ```
 */
export async function writeTransactionalRows(
  targets: readonly TransactionalRow[],
  ctx: TransactionalWriteContext,
): Promise<RefusedChange[]> {
  const own = new Map<string, Record<string, AttributeValue>>();
  const stale = new Map<string, PruneHint[]>();
  const keys = new Map<string, { pk: string; sk: string; rollup: string }>();
  // rows whose whole item the store returned (sized from it), and the attributes written to them since
  const sizes: RowSizes = { items: new Map(), added: new Map(), stateBytes: ctx.rows.budgetBytes };
  const batchLast = ctx.changes[ctx.changes.length - 1]?.sequenceNumber ?? '';
  const seen = new Map<string, Record<string, AttributeValue> | undefined>();
  const toRead: TransactionalRow[] = [];
  for (const t of targets) {
    const key = `${t.pk}\u0000${t.sk}`;
    keys.set(key, { pk: t.pk, sk: t.sk, rollup: t.rollup });
    const known = t.item ?? ctx.rows.seen(key);
    seen.set(key, known);
    // a marked row sheds the states of shards that stopped writing it only if someone looks: a sample is read
    if (known === undefined && ctx.prune !== undefined && sampledKey(key + batchLast, ctx.prune.sampleEvery))
      toRead.push(t);
    if (t.item !== undefined) sizes.items.set(key, t.item);
  }
  // under the transaction strategy every row of a batch is here, one in `sampleEvery` of them read: 100 a request
  for (const [key, item] of await readRowsBatched(toRead, ctx)) {
    seen.set(key, item);
    if (item !== undefined) sizes.items.set(key, item);
  }
  for (const [key, item] of seen) {
    own.set(key, ownStates(item, ctx.attrs));
    stale.set(key, staleOf(item, ctx));
  }
  const rollups = [...new Set(targets.map((t) => t.rollup))];
  let stored = await readWatermarks(rollups, ctx);
  const refused: RefusedChange[] = [];
  const excluded = new Set(ctx.excluded);
  const open = () => ctx.changes.filter((c) => !excluded.has(c.sequenceNumber));
  let pending = open();
  let oneByOne = false;
  for (let attempts = 0; pending.length > 0; ) {
    const chunk = oneByOne ? pending.slice(0, 1) : cutChunk(pending, keys, sizes, ctx.folder);
    const last = (chunk[chunk.length - 1] as Change).sequenceNumber;
    const marked = (key: string) => ctx.rows.marked(key) || isTransactionalItem(sizes.items.get(key));
    const planned = planChunk(chunk, keys, own, stored, sizes, ctx, marked);
    if (planned.length === 0) {
      pending = pending.slice(chunk.length);
      continue;
    }
    // one record alone may pass 100 items (a change of group touches every row kind of every rollup twice): its
    // rows go in parts of whole rollups, each part moving its own rollups' watermark items, and the chunk is
    // planned again after each part (the rollups whose items moved have nothing left to write)
    // and within the bytes one transaction may carry; a record whose rows of one rollup cannot fit alone is refused
    const writes = wholeRollupsWithin(planned, MAX_TRANSACTION_ITEMS, {
      budget: TRANSACTION_BYTES_BUDGET,
      perRollup: WATERMARK_ITEM_BYTES,
    });
    const partial = writes.length < planned.length;
    // the watermark item of each rollup with rows here moves to the chunk's last record (each row's records
    // start after its rollup's item, so the item is below `last`), also for rows left out (`skip`)
    const moved = [...new Set(writes.map((w) => w.row.rollup))];
    const sent = writes.filter((w) => !w.skip);
    let items: TransactWriteItem[] = [];
    try {
      if (writes.length === 0) throw new OverTransactionBytes();
      items = sent.map(({ row, key }) => rowItem(row, own.get(key) ?? {}, stale.get(key) ?? [], ctx));
      for (const r of moved) items.push(watermarkItem(ctx, r, stored.get(r), last));
      const out = await withRetry(
        () =>
          ctx.client.send(
            new TransactWriteItemsCommand({
              TransactItems: items,
              ClientRequestToken: requestToken(items),
              ReturnConsumedCapacity: 'INDEXES',
            }),
          ),
        retrying(ctx),
      );
      ctx.report.requests++;
      ctx.report.transactions++;
      ctx.report.rowsWritten += sent.length;
      ctx.report.writeUnits += transactionUnits(
        out.ConsumedCapacity,
        items.length,
        sent.filter((w) => w.row.leaderboard !== undefined).length,
      );
    } catch (e) {
      // a delta too precise to send, or a request the store refuses whole (a sum over 38 digits)
      const over = e instanceof OverTransactionBytes;
      const whole = over || isRowRefusal(e) ? (over || isRowTooLarge(e) ? 'too-large' : 'number') : undefined;
      if (whole === undefined && !(e instanceof TransactionCanceledException)) throw e;
      if (items.length > 0) ctx.report.requests++;
      const reasons = e instanceof TransactionCanceledException ? (e.CancellationReasons ?? []) : [];
      const refusal =
        whole ??
        (e instanceof TransactionCanceledException ? refusalIn(e, reasons.slice(0, sent.length)) : undefined);
      if (refusal !== undefined) {
        if (chunk.length > 1) {
          oneByOne = true; // a sum a row cannot hold, a row over 400 KB, rows over 4 MB: find the record, one at a time
          continue;
        }
        // a delta too wide to send (a MODIFY from a 38-digit amount to 0.25) or rows over 4 MB never reached the
        // store: their rows are asked by the same conditions without the deltas, as a sent transaction is below (a
        // row whose own state this process does not know may hold the record already: a row-watermark delivery
        // wrote it before the strategy changed, review s43r)
        const asked = items.length > 0 ? sent : planned.filter((w) => !w.skip);
        const checks =
          items.length > 0
            ? items.slice(0, sent.length)
            : asked.map(({ row, key }) =>
                rowItem(
                  { ...row, adds: [], leaderboard: undefined },
                  own.get(key) ?? {},
                  stale.get(key) ?? [],
                  ctx,
                ),
              );
        if (checks.length > 0) {
          // believed only if every condition of the transaction holds: DynamoDB does not document whether it checks
          // a condition before it computes a sum, and one that sums first refuses, where a condition fails, a record
          // an earlier delivery committed (a watermark item moved) or a row already holds (its own state is not as
          // believed)
          const fresh = await readWatermarks(rollups, ctx);
          if (rollups.some((r) => fresh.get(r)?.seq !== stored.get(r)?.seq)) {
            if (++attempts >= MAX_ATTEMPTS) throw e;
            stored = fresh;
            pending = open();
            oneByOne = false;
            continue;
          }
          const failed = await failedRowConditions(checks, ctx);
          for (const [i, item] of failed) {
            const { key } = asked[i] as { key: string };
            sizes.items.set(key, item);
            sizes.added.delete(key);
            own.set(key, ownStates(item, ctx.attrs));
            stale.set(key, staleOf(item, ctx));
          }
          if (failed.size > 0) {
            if (++attempts >= MAX_ATTEMPTS) throw e;
            continue;
          }
        }
        // this record cannot be added to a transactional row: recorded before anything after it is written,
        // then left out (the applier takes it back from its per-row rows and dead-letters it)
        // Rows of the record's earlier parts (this delivery's or an earlier one's: their rollups' watermark items
        // are past it) keep it, like rows whose take-back was refused: never taken back from, left out of the letter
        const change = chunk[0] as Change;
        const kept = await heldByTransactions(change, ctx.folder, keys, async (r) => stored.get(r)?.seq);
        const exclusion: Exclusion = {
          seq: change.sequenceNumber,
          rows: planned.map((w) => rowHash(w.key)),
          ...(kept.length > 0 ? { kept: kept.map(rowHash) } : {}),
          tooLarge: refusal === 'too-large',
          ...(over ? { over: 'transaction' as const } : {}),
          at: exclusionTime(change.approximateTimeMs, ctx.now),
        };
        await recordExclusion(exclusion, ctx.exclusions);
        excluded.add(change.sequenceNumber);
        refused.push({
          change,
          exclusion,
          rowKeys: (over ? planned : sent).map((w) => w.key),
          ...(over ? { over: 'transaction' as const } : {}),
        });
        pending = pending.slice(1);
        oneByOne = false; // the rest of the batch in whole chunks again
        continue;
      }
      const tx = e as TransactionCanceledException;
      if (++attempts >= MAX_ATTEMPTS) throw cancelled(tx, sent);
      if (reasons.slice(sent.length).some((r) => r.Code === 'ConditionalCheckFailed')) {
        // a watermark item moved: an earlier delivery of these records committed; start again from them
        stored = await readWatermarks(rollups, ctx);
        pending = open();
        continue;
      }
      let learnt = false;
      sent.forEach(({ key }, i) => {
        const reason = reasons[i];
        if (reason?.Code !== 'ConditionalCheckFailed') return;
        if (reason.Item !== undefined) {
          sizes.items.set(key, reason.Item);
          sizes.added.delete(key);
        }
        own.set(key, ownStates(reason.Item, ctx.attrs)); // the row's own state was not as believed
        stale.set(key, staleOf(reason.Item, ctx));
        learnt = true;
      });
      if (!learnt && !reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError'))
        throw cancelled(tx, sent);
      // hot rows are what goes transactional: other shards' transactions on them conflict, so back off
      if (!learnt) await backoff(attempts);
      continue;
    }
    for (const { key, row } of sent) {
      const added = sizes.added.get(key) ?? new Set<string>();
      for (const [attr] of row.adds) added.add(attr);
      sizes.added.set(key, added);
      ctx.rows.wrote(key);
      own.set(key, {});
      stale.set(key, []);
    }
    for (const r of moved) stored.set(r, { seq: last });
    if (!partial) pending = pending.slice(chunk.length);
  }
  return refused;
}

function staleOf(
  item: Record<string, AttributeValue> | undefined,
  ctx: TransactionalWriteContext,
): PruneHint[] {
  if (item === undefined || ctx.prune === undefined) return [];
  // a bounded number a write: the rest go with the row's next writes (see MAX_PRUNED_PER_WRITE)
  return staleStatesOf(item, ctx.attrs, ctx.now, ctx.prune.horizonSeconds).slice(0, MAX_PRUNED_PER_WRITE);
}

/** The writing shard's own states (compact and legacy) on a stored row. */
function ownStates(
  item: Record<string, AttributeValue> | undefined,
  attrs: TransactionalWriteContext['attrs'],
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  const a = item?.[attrs.attr];
  const l = item?.[attrs.legacy];
  if (a !== undefined) out[attrs.attr] = a;
  if (l !== undefined) out[attrs.legacy] = l;
  return out;
}

async function readWatermarks(
  rollups: readonly string[],
  ctx: TransactionalWriteContext,
): Promise<Map<string, StoredWatermark>> {
  const out = new Map<string, StoredWatermark>();
  await Promise.all(
    rollups.map(async (r) =>
      out.set(
        r,
        await withRetry(
          () => readTransactionalWatermark(ctx.client, ctx.table, ctx.source, ctx.shardId, r),
          retrying(ctx),
        ),
      ),
    ),
  );
  return out;
}

function backoff(attempt: number): Promise<void> {
  const delay = Math.random() * Math.min(1000, 20 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, delay));
}
