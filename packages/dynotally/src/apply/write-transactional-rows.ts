import {
  type AttributeValue,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Coalescer, type Folder, type RowAcc } from '../fold/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { planRow, type RowWrite, rowUpdateParams } from '../plan/index.ts';
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
import { watermarkItemTtl } from './redelivery-horizon.ts';
import { requestToken } from './request-token.ts';
import { withRetry } from './retry.ts';
import { appliedSeq } from './shard-state.ts';
import {
  knownRowBytes,
  rowBytesBound,
  TRANSACTION_BYTES_BUDGET,
  WATERMARK_ITEM_BYTES,
} from './transaction-bytes.ts';
import { failedRowConditions } from './transaction-conditions.ts';
import { wholeRollupsWithin } from './transaction-parts.ts';
import { TRANSACTIONAL_ATTR, TRANSACTIONAL_VALUE } from './transactional-marker.ts';
import {
  DEFAULT_STATE_BUDGET_BYTES,
  isTransactionalItem,
  type TransactionalRows,
} from './transactional-rows.ts';
import { readTransactionalWatermark, transactionalWatermarkKey } from './transactional-watermark.ts';
import { watermarkOnlyWrite } from './watermark-only.ts';
import { retrying } from './write-extrema.ts';
import { sampledKey } from './write-rows.ts';

/**
 * Items in one `TransactWriteItems`: a chunk's rows and one watermark item per rollup among them (several
 * rollups, or a rollup and its version under backfill, each have their own).
 */
const MAX_TRANSACTION_ITEMS = DYNAMO_LIMITS.transactionItems;
const MAX_ATTEMPTS = 12;

/** What the pure planning of the transactions needs (a {@link TransactionalWriteContext} has it). */
type TransactionPlanContext = Pick<
  TransactionalWriteContext,
  'table' | 'now' | 'source' | 'shardId' | 'attrs' | 'folder'
>;

/** A row to write through the transaction path, with the stored row when the store just returned it. */
export interface TransactionalRow {
  /** The row's rollup (its storage name: a version's own name under `createVersionedWriteSide`). */
  readonly rollup: string;
  readonly pk: string;
  readonly sk: string;
  readonly item?: Record<string, AttributeValue> | undefined;
}

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
 * await writeTransactionalRows([{ pk, sk, item }], { client, table, now, report, source, shardId, attrs, changes, folder, rows, excluded: new Set() });
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
        if (items.length > 0) {
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
          const failed = await failedRowConditions(items.slice(0, sent.length), ctx);
          for (const [i, item] of failed) {
            const { key } = sent[i] as { key: string };
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

/**
 * `'too-large'` or `'number'` when the store refused the transaction for good because of a row (a sum it cannot
 * hold, an item over 400 KB), else undefined.
 */
function refusalIn(
  e: TransactionCanceledException,
  rowReasons: ReadonlyArray<{ Code?: string | undefined; Message?: string | undefined }>,
): 'too-large' | 'number' | undefined {
  for (const r of rowReasons) {
    if (r.Code !== 'ValidationError') continue;
    const asError = { name: 'ValidationException', message: r.Message ?? e.message };
    if (!isRowRefusal(asError)) continue;
    return /item size/i.test(asError.message) ? 'too-large' : 'number';
  }
  return undefined;
}

function staleOf(
  item: Record<string, AttributeValue> | undefined,
  ctx: TransactionalWriteContext,
): PruneHint[] {
  if (item === undefined || ctx.prune === undefined) return [];
  // a bounded number a write: the rest go with the row's next writes (see MAX_PRUNED_PER_WRITE)
  return staleStatesOf(item, ctx.attrs, ctx.now, ctx.prune.horizonSeconds).slice(0, MAX_PRUNED_PER_WRITE);
}

/** A row's stored item (consistent read), to learn its states. */
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

/** A rollup's watermark item as read: the last record its transactional rows hold. */
interface StoredWatermark {
  readonly seq: string | undefined;
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

/**
 * What this call knows of its rows' sizes: the whole items the store returned, the attributes written to them
 * since, and the state bytes a row past the applier's budget may carry beyond the definition's size rule.
 */
interface RowSizes {
  readonly items: Map<string, Record<string, AttributeValue>>;
  readonly added: Map<string, Set<string>>;
  readonly stateBytes: number;
}

/**
 * The bytes a transactional row counts for in a transaction adding `attrs`: its known size with what the write
 * adds (`knownRowBytes`), or, when its item was not returned, its kind's bound with the state budget on top.
 */
function rowBytes(key: string, acc: RowAcc, attrs: Iterable<string>, sizes: RowSizes): number {
  const item = sizes.items.get(key);
  if (item === undefined) return rowBytesBound(acc.rollup, acc.kind, sizes.stateBytes);
  return knownRowBytes(item, [...attrs, ...(sizes.added.get(key) ?? [])]);
}

/**
 * The longest prefix of records whose transactional rows fit one transaction with their rollups' watermark
 * items (at least one record): rows plus one item per rollup among them within DynamoDB's 100, and their sizes
 * ({@link rowBytes}) with the watermark items within `TRANSACTION_BYTES_BUDGET`.
 */
function cutChunk(
  changes: readonly Change[],
  keys: ReadonlyMap<string, { readonly rollup: string }>,
  sizes: RowSizes,
  folder: Folder,
): readonly Change[] {
  const all = new Set<string>();
  for (const k of keys.values()) all.add(k.rollup);
  // every row at 400 KB still fits: no need to fold record by record
  if (
    keys.size + all.size <= MAX_TRANSACTION_ITEMS &&
    keys.size * DYNAMO_LIMITS.itemBytes + all.size * WATERMARK_ITEM_BYTES <= TRANSACTION_BYTES_BUDGET
  )
    return changes;
  const rows = new Map<string, { acc: RowAcc; attrs: Set<string>; bytes: number }>();
  const rollups = new Set<string>();
  let bytes = 0;
  let n = 0;
  for (; n < changes.length; n++) {
    const probe = new Coalescer();
    folder.fold(changes[n] as Change, probe);
    let added = 0;
    let more = 0;
    const grown = new Map<string, { acc: RowAcc; attrs: Set<string>; bytes: number }>();
    const newRollups = new Set<string>();
    for (const r of probe.rows()) {
      const key = `${r.pk}\u0000${r.sk}`;
      const target = keys.get(key);
      if (target === undefined) continue;
      const held = rows.get(key);
      const attrs = new Set(held?.attrs);
      for (const a of r.attrs) attrs.add(a);
      const size = rowBytes(key, held?.acc ?? r, attrs, sizes);
      more += size - (held?.bytes ?? 0);
      grown.set(key, { acc: held?.acc ?? r, attrs, bytes: size });
      if (held !== undefined) continue;
      added++;
      if (!rollups.has(target.rollup)) newRollups.add(target.rollup);
    }
    const items = rows.size + added + rollups.size + newRollups.size;
    const size = bytes + more + (rollups.size + newRollups.size) * WATERMARK_ITEM_BYTES;
    if (n > 0 && (items > MAX_TRANSACTION_ITEMS || size > TRANSACTION_BYTES_BUDGET)) break;
    for (const [key, row] of grown) rows.set(key, row);
    for (const r of newRollups) rollups.add(r);
    bytes += more;
  }
  return changes.slice(0, Math.max(1, n));
}

/**
 * Each transactional row's write for the chunk: the records after the larger of the watermark item and the
 * row's own state (rows sharing a start are folded together).
 */
function planChunk(
  chunk: readonly Change[],
  keys: ReadonlyMap<string, { pk: string; sk: string; rollup: string }>,
  own: ReadonlyMap<string, Record<string, AttributeValue>>,
  stored: ReadonlyMap<string, StoredWatermark>,
  sizes: RowSizes,
  ctx: TransactionPlanContext,
  marked: (key: string) => boolean = () => false,
): Array<{ key: string; row: RowWrite; bytes: number; skip?: boolean }> {
  const byStart = new Map<string, string[]>();
  for (const [key, { rollup }] of keys) {
    const applied = appliedSeq(own.get(key), ctx.attrs);
    let start = stored.get(rollup)?.seq ?? '';
    if (applied !== undefined && applied > start) start = applied;
    const group = byStart.get(start) ?? [];
    group.push(key);
    byStart.set(start, group);
  }
  const out: Array<{ key: string; row: RowWrite; bytes: number; skip?: boolean }> = [];
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
 * One row's update in the transaction: the deltas, the marker set, the shard's own state and its finished
 * ancestors' states removed; conditioned on the own state being what was read (so records it covers are not
 * counted again). Removing it is safe: the watermark item moves past it in the same transaction.
 */
function rowItem(
  row: RowWrite,
  own: Record<string, AttributeValue>,
  stale: readonly PruneHint[],
  ctx: TransactionPlanContext,
): TransactWriteItem {
  const input = rowUpdateParams(ctx.table, row, { now: ctx.now });
  const names = input.ExpressionAttributeNames as Record<string, string>;
  const values = input.ExpressionAttributeValues as Record<string, AttributeValue>;
  names['#tx'] = TRANSACTIONAL_ATTR;
  values[':tx'] = TRANSACTIONAL_VALUE;
  let expr = (input.UpdateExpression as string).replace(/^SET /, 'SET #tx = :tx, ');
  const removed = new Set<string>();
  const removes: string[] = [];
  const conditions: string[] = [];
  [ctx.attrs.attr, ctx.attrs.legacy].forEach((attr, i) => {
    names[`#o${i}`] = attr;
    removes.push(`#o${i}`);
    removed.add(attr);
    const value = own[attr];
    if (value === undefined) conditions.push(`attribute_not_exists(#o${i})`);
    else {
      values[`:o${i}`] = value;
      conditions.push(`#o${i} = :o${i}`);
    }
  });
  let d = 0;
  for (const attr of ctx.attrs.drop ?? []) {
    if (removed.has(attr)) continue;
    removed.add(attr);
    names[`#f${d}`] = attr;
    removes.push(`#f${d++}`);
  }
  // states past the redelivery horizon, each only if unchanged (a shard that wrote meanwhile keeps its state)
  let p = 0;
  for (const { attr, value } of stale) {
    if (removed.has(attr)) continue;
    removed.add(attr);
    names[`#p${p}`] = attr;
    values[`:p${p}`] = value;
    conditions.push(`#p${p} = :p${p}`);
    removes.push(`#p${p++}`);
  }
  expr += ` REMOVE ${removes.join(', ')}`;
  return {
    Update: {
      TableName: ctx.table,
      Key: input.Key,
      UpdateExpression: expr,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

function watermarkItem(
  ctx: TransactionPlanContext,
  rollup: string,
  stored: StoredWatermark | undefined,
  next: string,
): TransactWriteItem {
  const expected = stored?.seq;
  const names: Record<string, string> = { '#s': 'seq', '#u': 'updatedAt', '#t': 'ttl' };
  const values: Record<string, AttributeValue> = {
    ':next': { S: next },
    ':u': { N: String(ctx.now) },
    ':t': { N: String(watermarkItemTtl(ctx.now)) },
  };
  if (expected !== undefined) values[':expected'] = { S: expected };
  const update = 'SET #s = :next, #u = :u, #t = :t';
  return {
    Update: {
      TableName: ctx.table,
      Key: transactionalWatermarkKey(ctx.source, ctx.shardId, rollup),
      UpdateExpression: update,
      ConditionExpression: expected === undefined ? 'attribute_not_exists(#s)' : '#s = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
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

function backoff(attempt: number): Promise<void> {
  const delay = Math.random() * Math.min(1000, 20 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, delay));
}

function cancelled(
  e: TransactionCanceledException,
  writes: ReadonlyArray<{ row: RowWrite }>,
): DynotallyError {
  const reasons = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return new DynotallyError(
    'APPLY_FAILED',
    `the transactional write of ${writes.length} row(s) (${writes
      .slice(0, 3)
      .map((w) => `${w.row.pk} ${w.row.sk}`)
      .join(
        ', ',
      )}${writes.length > 3 ? ', …' : ''}) was cancelled: ${reasons.join(', ')}; the batch can be retried safely`,
    { details: { reasons }, cause: e },
  );
}
