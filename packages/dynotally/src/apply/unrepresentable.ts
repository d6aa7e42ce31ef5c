import {
  ConditionalCheckFailedException,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Change } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Coalescer, type PoisonRecord } from '../fold/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { compensationUpdateParams, planRow, type RowWrite } from '../plan/index.ts';
import { consumedUnits } from './capacity.ts';
import { rowHash } from './exclusions.ts';
import { failedCondition } from './failed-condition.ts';
import { isRowRefusal, isRowTooLarge, isUnrepresentable } from './number-refusal.ts';
import { takeBackMarkerAttr } from './prune-hints.ts';
import { withRetry } from './retry.ts';
import { stateBound } from './shard-state.ts';
import { watermarkOnlyWrite } from './watermark-only.ts';
import { retrying } from './write-extrema.ts';
import { type RowWriteContext, writeRowOnce } from './write-rows.ts';

/**
 * Finds the records whose deltas cannot be added to rows the store refused (row-watermark exactly-once): each
 * refused row is written again record by record, in sequence order, each write conditioned on and moving the
 * row's watermark, so every record that can be added is added exactly once and the one that cannot is found.
 * Such a record is then taken back out of every other row it reached (once, guarded by a marker attribute and
 * the row's watermark), so it leaves no trace in any counter, and it is returned as `NUMBER_UNREPRESENTABLE`
 * poison. A redelivery finds the same record again and changes nothing. A record's write counts as refused only if
 * its condition holds ({@link writeRowOnce} asks it alone): a store that computes the sum before it checks the
 * condition refuses a redelivered record the row already holds just the same, and that record is applied there, not
 * refused. min / max / last values the record set elsewhere are not taken back (they are not invertible).
 *
 * @example
 * ```ts
 * const poison = await isolateUnrepresentable(refusedRows, records, ctx, {
 *   refused: (change, rowKey, tooLarge, kept) => recordExclusion(change, [rowKey], tooLarge, kept),
 *   kept: (change, refusedAt, tooLarge, rowKey) => recordKept(change, refusedAt, tooLarge, rowKey),
 * });
 * ```
 */
export async function isolateUnrepresentable(
  refused: readonly RowWrite[],
  batch: readonly DynamoDBRecord[],
  ctx: RowWriteContext,
  record: {
    /**
     * Called (and awaited) as soon as a row refuses a record, before anything after it is written there; `kept`
     * are the record's rows that hold it already and cannot give it back ({@link heldByTransactions}).
     */
    refused(change: Change, rowKey: string, tooLarge: boolean, kept: readonly string[]): Promise<void>;
    /**
     * Called (and awaited) when a row keeps a refused record (its take-back refused too), before the letter:
     * `refusedAt` are the rows that refused the record.
     */
    kept(change: Change, refusedAt: readonly string[], tooLarge: boolean, rowKey: string): Promise<void>;
    /** The record's rows that hold it through the per-shard transaction path (none when not given). */
    held?(change: Change): Promise<readonly string[]>;
  },
): Promise<PoisonRecord[]> {
  const eo = ctx.exactlyOnce;
  if (eo === undefined) throw new Error('isolateUnrepresentable needs row-watermark exactly-once');
  /** Record sequence → the rows where its delta could not be added. */
  const failedAt = new Map<string, Set<string>>();
  const bySeq = new Map<string, Change>();
  /** Records refused because the row would pass 400 KB (the rest: a number the store cannot hold). */
  const tooLarge = new Set<string>();
  /** Record sequence → its rows that hold it already (found at its first refusal). */
  const heldBy = new Map<string, readonly string[]>();
  for (const row of refused) {
    for (const ch of eo.changes) {
      if (ch.sequenceNumber < row.firstSeq || ch.sequenceNumber > row.lastSeq) continue;
      const acc = singleFold(ch, eo.folder).get(row.pk, row.sk);
      if (acc === undefined) continue;
      const w = planRow(acc, { now: ctx.now }) ?? watermarkOnlyWrite(acc, ctx.now);
      if (w === undefined) continue;
      try {
        await writeRowOnce(w, ctx);
      } catch (e) {
        if (!isRowRefusal(e)) throw e;
        if (isRowTooLarge(e)) tooLarge.add(ch.sequenceNumber);
        const at = failedAt.get(ch.sequenceNumber) ?? new Set<string>();
        failedAt.set(ch.sequenceNumber, at);
        at.add(rowKeyOf(row));
        let held = heldBy.get(ch.sequenceNumber);
        if (held === undefined) {
          held = (await record.held?.(ch)) ?? [];
          heldBy.set(ch.sequenceNumber, held);
        }
        await record.refused(ch, rowKeyOf(row), isRowTooLarge(e), held);
        bySeq.set(ch.sequenceNumber, ch);
      }
    }
  }
  const refusedRecords = [...failedAt].map(([seq, at]) => ({ ch: bySeq.get(seq) as Change, at }));
  const pendings = await takeBackEach(
    refusedRecords.map(({ ch, at }) => ({
      change: ch,
      skip: { refused: at, kept: new Set(heldBy.get(ch.sequenceNumber) ?? []) },
      onKept: (rowKey: string) => record.kept(ch, [...at], tooLarge.has(ch.sequenceNumber), rowKey),
    })),
    ctx,
  );
  return refusedRecords.map(({ ch, at }, i) =>
    refusedRecord(ch, batch, [...at], tooLarge.has(ch.sequenceNumber), pendings[i]),
  );
}

/** One refused record to take back ({@link takeBack}'s arguments). */
export interface TakeBackItem {
  readonly change: Change;
  readonly skip: TakeBackSkips;
  readonly onKept: (rowKey: string) => Promise<void>;
}

/**
 * Takes several refused records back ({@link takeBack}), each once, and returns each one's pending rows. A row that
 * refuses one record's take-back may take it once another record of the batch is out of it (two refused records
 * both in a row whose batch sum fitted: `Y + 7 − X` needs 39 digits, `7 + X − X` does not), so such a row keeps
 * its record only if it still refuses once the others' take-backs are done (tried again while any of them gets
 * through); before, the first take-back tried kept the record there for good, a dead-lettered record counted in a
 * row that could give it back (review s42r).
 *
 * @example
 * ```ts
 * const pending = await takeBackEach([{ change, skip, onKept: (rowKey) => recordKept(x, rowKey, xctx) }], ctx);
 * ```
 */
export async function takeBackEach(
  items: readonly TakeBackItem[],
  ctx: RowWriteContext,
): Promise<Array<Array<{ pk: string; sk: string }> | undefined>> {
  const pending: Array<Array<{ pk: string; sk: string }> | undefined> = new Array(items.length);
  /** Items with rows that refused their take-back, by index, and how many such rows. */
  let waiting = new Map<number, number>();
  for (let i = 0; i < items.length; i++) {
    const { change, skip, onKept } = items[i] as TakeBackItem;
    const deferred: string[] = [];
    pending[i] = await takeBack(change, skip, ctx, onKept, deferred);
    if (deferred.length > 0) waiting.set(i, deferred.length);
  }
  // again while a pass takes something back (each take-back is guarded by its marker: repeating one is safe); the
  // first pass may have tried a record before the ones whose take-backs make room for it
  while (waiting.size > 0) {
    const still = new Map<number, number>();
    let progress = false;
    for (const [i, before] of waiting) {
      const { change, skip, onKept } = items[i] as TakeBackItem;
      const deferred: string[] = [];
      pending[i] = await takeBack(change, skip, ctx, onKept, deferred);
      if (deferred.length < before) progress = true;
      if (deferred.length > 0) still.set(i, deferred.length);
    }
    waiting = still;
    if (!progress) break;
  }
  // what still refuses keeps its record for good (recorded before the letter that leaves the row out)
  for (const i of waiting.keys()) {
    const { change, skip, onKept } = items[i] as TakeBackItem;
    pending[i] = await takeBack(change, skip, ctx, onKept);
  }
  return pending;
}

function rowKeyOf(r: { pk: string; sk: string }): string {
  return `${r.pk}\u0000${r.sk}`;
}

function singleFold(ch: Change, folder: NonNullable<RowWriteContext['exactlyOnce']>['folder']): Coalescer {
  const co = new Coalescer();
  folder.fold(ch, co);
  return co;
}

/**
 * The rows a take-back leaves alone (row keys `pk\u0000sk`, or their {@link rowHash}es): those that refused the
 * record (they never got it: a replay adds it there) and those that keep it (an earlier take-back was refused
 * there: they hold it for good, and a replay leaves them out).
 *
 * @example
 * ```ts
 * const skip: TakeBackSkips = { refused: new Set(exclusion.rows), kept: new Set(exclusion.kept ?? []) };
 * ```
 */
export interface TakeBackSkips {
  readonly refused: ReadonlySet<string>;
  readonly kept?: ReadonlySet<string> | undefined;
}

/**
 * Takes a refused record back out of every row it reached except `skip`'s, once: each take-back is guarded by a
 * marker attribute and the row's state for the shard (a row the record never reached, a transactional row among
 * them, is left alone). Safe to repeat. A row the store will not take it back from (its sum without the record
 * needs more than 38 digits) keeps it, for good: `onKept` is awaited with its key (the caller records it, so no
 * later delivery takes the record back there, since the letter leaves that row out and is never rewritten). The
 * rows a replay of the letter must write are then returned (every row but the kept ones, earlier or now), else
 * undefined (all of them). Given `deferred`, such a row is added to it instead of kept, and counted as pending
 * ({@link takeBackEach} tries it again after the batch's other take-backs).
 *
 * @example
 * ```ts
 * await takeBack(change, { refused: new Set([`${row.pk}\u0000${row.sk}`]) }, ctx, (rowKey) => recordKept(x, rowKey, xctx));
 * ```
 */
export async function takeBack(
  ch: Change,
  skip: TakeBackSkips,
  ctx: RowWriteContext,
  onKept: (rowKey: string) => Promise<void>,
  deferred?: string[],
): Promise<Array<{ pk: string; sk: string }> | undefined> {
  const eo = ctx.exactlyOnce;
  if (eo === undefined) throw new Error('takeBack needs row-watermark exactly-once');
  const seq = ch.sequenceNumber;
  const rows: Array<{ pk: string; sk: string }> = [];
  const has = (set: ReadonlySet<string> | undefined, key: string) =>
    set !== undefined && (set.has(key) || set.has(rowHash(key)));
  let kept = false;
  for (const acc of singleFold(ch, eo.folder).rows()) {
    const key = rowKeyOf(acc);
    if (has(skip.kept, key)) {
      kept = true; // an earlier delivery's take-back was refused here: the row keeps the record, the letter says so
      continue;
    }
    rows.push({ pk: acc.pk, sk: acc.sk });
    if (has(skip.refused, key)) continue;
    const w = planRow(acc, { now: Number.NEGATIVE_INFINITY }); // take back also from rows past retention
    if (w === undefined) continue;
    const options = {
      now: ctx.now,
      watermarkAttr: eo.attrs.legacy,
      compact: { attr: eo.attrs.attr, bound: stateBound(seq) },
      sequence: seq,
      markerAttr: takeBackMarkerAttr(eo.attrs.legacy, seq),
      markedAtSeconds: ch.approximateTimeMs / 1000,
    };
    // the record's own delta here may need more than 38 digits, each of its images fitting (a MODIFY of an amount
    // from a 38-digit value to 0.25): no ADD takes it back, and the row keeps it as below, asked by the same
    // condition without the deltas (the batch used to fail on it for good: review s42r)
    let input: UpdateItemCommandInput;
    let unwritable = false;
    try {
      input = { ...compensationUpdateParams(ctx.table, w, options), ReturnConsumedCapacity: 'INDEXES' };
    } catch (e) {
      if (!isUnrepresentable(e)) throw e;
      input = compensationUpdateParams(ctx.table, { ...w, adds: [], leaderboard: undefined }, options);
      unwritable = true;
    }
    // refused: the row's sum without the record cannot be stored either (or no ADD expresses the take-back)
    let refused = unwritable;
    if (!unwritable) {
      try {
        const out = await withRetry(() => ctx.client.send(new UpdateItemCommand(input)), retrying(ctx));
        ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
      } catch (e) {
        if (isRowRefusal(e)) {
          refused = true;
          ctx.report.requests++;
          ctx.report.writeUnits += 1;
        } else if (e instanceof ConditionalCheckFailedException)
          ctx.report.writeUnits += 1; // taken back before, or never reached it
        else throw e;
      }
    }
    if (refused) {
      // Whether the row has the record (and has not given it back) is asked on its own: a store that computes the
      // sum before the condition refuses a row that gave the record back in an earlier delivery just the same, and
      // that row must not be left out
      if (await failedCondition(input, ctx)) continue; // given back before, or never reached: as below
      // it has it: the caller may try again once other records are out of the row (takeBackEach), unless no
      // number can take it back
      if (deferred !== undefined && !unwritable) {
        deferred.push(key);
        continue;
      }
      // the row keeps it for good, recorded before the letter that leaves it out
      await onKept(key);
      rows.pop();
      kept = true;
      continue;
    }
    ctx.report.requests++;
  }
  return kept ? rows : undefined;
}

/**
 * A record the store refused, as poison: `ITEM_TOO_LARGE` or `NUMBER_UNREPRESENTABLE`, naming the rows. With
 * `over: 'transaction'`, `ITEM_TOO_LARGE` for a record whose transactional rows of one rollup may hold more than
 * one `TransactWriteItems` may carry (4 MB), which was refused before it was sent.
 *
 * @example
 * ```ts
 * poison.push(refusedRecord(change, records, ['amounts#sbig\u0000ALL'], false));
 * ```
 */
export function refusedRecord(
  ch: Change,
  batch: readonly DynamoDBRecord[],
  rowKeys: readonly string[],
  tooLarge: boolean,
  pendingRows?: ReadonlyArray<{ readonly pk: string; readonly sk: string }>,
  over?: 'transaction',
): PoisonRecord {
  const index = batch.indexOf(ch.record as DynamoDBRecord);
  const rows = rowKeys.map((k) => k.replace('\u0000', ' '));
  const named = rows.length > 0 ? rows.join(', ') : '(refused in an earlier delivery of this batch)';
  const error =
    over === 'transaction'
      ? new DynotallyError(
          'ITEM_TOO_LARGE',
          `rows ${named}, written together with their watermark item in one transaction, may hold more than DynamoDB's 4 MB a transaction may carry (each counted at its size with this record's cells, or at the most its row kind can hold): the record is dead-lettered and left out of every count, and the shard goes on. Rows this large are near the 400 KB item limit: keep fewer cells or shorter last() values in them, then replay the letter`,
          { details: { rows, limit: DYNAMO_LIMITS.transactionBytes } },
        )
      : tooLarge
        ? new DynotallyError(
            'ITEM_TOO_LARGE',
            `row ${named} would pass DynamoDB's 400 KB item limit with this record's shard state: the record is dead-lettered and left out of every count, and the shard goes on. The row's exactly-once state holds one entry per shard that wrote it within the redelivery horizon (about 25 h); replay the letter once older entries have been pruned`,
            { details: { rows } },
          )
        : new DynotallyError(
            'NUMBER_UNREPRESENTABLE',
            `a sum of this record cannot be stored within DynamoDB's 38 significant digits (row ${named}): the record is dead-lettered and left out of every count; keep amounts within a fixed scale (round them) so sums stay representable`,
            { details: { rows } },
          );
  return {
    record: ch.record,
    index,
    sequenceNumber: ch.sequenceNumber,
    error,
    ...(pendingRows === undefined ? {} : { pendingRows }),
  };
}
