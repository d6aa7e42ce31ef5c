import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../cost/item-size.ts';
import type { Change } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Coalescer, type Folder } from '../fold/index.ts';
import { planRow, type RowParamsOptions, type RowWrite, rowUpdateParams } from '../plan/index.ts';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { failedCondition } from './failed-condition.ts';
import { mapLimit } from './map-limit.ts';
import { isRowRefusal } from './number-refusal.ts';
import type { PruneHints } from './prune-hints.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { appliedSeq, rowWatermarkFor } from './shard-state.ts';
import type { TransactionalRow } from './transaction-plan.ts';
import { isTransactionalItem, type TransactionalRows } from './transactional-rows.ts';
import { watermarkOnlyWrite } from './watermark-only.ts';
import { retrying } from './write-extrema.ts';

/** What the row writer needs to know about the batch. */
export interface RowWriteContext {
  client: DynamoDBClient;
  table: string;
  now: number;
  concurrency: number;
  report: ApplyReport;
  retry?: RetryOptions;
  /** Row-watermark exactly-once: the shard's watermark attribute, the batch's changes and the folder to re-plan a row. */
  exactlyOnce?:
    | {
        /** The shard's state attributes on a row: compact (written) and legacy (honoured). */
        attrs: {
          readonly attr: string;
          readonly legacy: string;
          readonly drop?: readonly string[] | undefined;
        };
        changes: readonly Change[];
        folder: Folder;
        hints: PruneHints;
        sampleEvery: number;
        /**
         * Rows written through the per-shard transaction path: those known here, and where rows the per-row
         * condition refused because they are marked are collected (written after the batch's per-row writes).
         */
        transactional?:
          | {
              readonly rows: TransactionalRows;
              readonly refused: Map<string, TransactionalRow>;
              /** Rows seen over the budget and not marked yet: marked after the batch's per-row writes. */
              readonly toMark: Map<string, TransactionalRow>;
            }
          | undefined;
      }
    | undefined;
  /**
   * Where rows the store refused for a number it cannot hold are collected (row-watermark exactly-once), to be
   * resolved record by record afterwards; without it such a refusal is thrown.
   */
  unrepresentable?: RowWrite[] | undefined;
}

/**
 * Writes every planned row with one `UpdateItem` each, in parallel (bounded). In exactly-once mode each
 * update carries the shard's watermark and is conditioned on it (see {@link writeRowOnce}); otherwise it is
 * a plain atomic ADD (at-least-once: a redelivered batch counts twice).
 *
 * @example
 * ```ts
 * await writeRows(plan.rows, { client, table: 'aggregates', now: Date.now(), concurrency: 32, report });
 * ```
 */
export async function writeRows(rows: readonly RowWrite[], ctx: RowWriteContext): Promise<void> {
  await mapLimit(rows, ctx.concurrency, (row) =>
    refusedInto(ctx, row, ctx.exactlyOnce === undefined ? writeRowPlain(row, ctx) : writeRowOnce(row, ctx)),
  );
}

/**
 * Awaits a row write; a refusal for good (a number the store cannot hold, an item over 400 KB) is collected in
 * `ctx.unrepresentable` (when the caller collects them) instead of thrown.
 *
 * @example
 * ```ts
 * await refusedInto(ctx, row, writeRowOnce(row, ctx));
 * ```
 */
export async function refusedInto(ctx: RowWriteContext, row: RowWrite, write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (e) {
    if (ctx.unrepresentable === undefined || !isRowRefusal(e)) throw e;
    ctx.unrepresentable.push(row);
  }
}

/**
 * One row as a plain atomic ADD `UpdateItem` (at-least-once).
 *
 * @example
 * ```ts
 * await writeRowPlain(plan.rows[0], ctx);
 * ```
 */
export async function writeRowPlain(row: RowWrite, ctx: RowWriteContext): Promise<void> {
  const input = rowPlainInput(ctx.table, row, ctx.now);
  const out = await withRetry(() => ctx.client.send(new UpdateItemCommand(input)), retrying(ctx));
  ctx.report.requests++;
  ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
  ctx.report.rowsWritten++;
}

/**
 * The `UpdateItem` input {@link writeRowPlain} sends for a row (at-least-once: no condition).
 *
 * @example
 * ```ts
 * const input = rowPlainInput('aggregates', plan.rows[0], Date.now());
 * ```
 */
export function rowPlainInput(table: string, row: RowWrite, now: number): UpdateItemCommandInput {
  return { ...rowUpdateParams(table, row, { now }), ReturnConsumedCapacity: 'INDEXES' };
}

/**
 * The `UpdateItem` input {@link writeRowOnce} sends for a row under row-watermark exactly-once: the row's
 * watermark condition, stale states to `prune`, and `ALL_OLD` for the rows sampled to learn their states.
 *
 * @example
 * ```ts
 * const watermark = rowWatermarkFor(attrs, row.firstSeq, row.lastSeq, row.lastApproxMs);
 * const input = rowOnceInput('aggregates', row, { now: Date.now(), watermark, prune: undefined, sampleEvery: 16 });
 * ```
 */
export function rowOnceInput(
  table: string,
  row: RowWrite,
  options: Pick<RowParamsOptions, 'now' | 'watermark' | 'prune'> & { sampleEvery: number },
): UpdateItemCommandInput {
  const { now, watermark, prune, sampleEvery } = options;
  return {
    ...rowUpdateParams(table, row, { now, watermark, prune }),
    ReturnConsumedCapacity: 'INDEXES',
    ...(sampled(row, sampleEvery) ? { ReturnValues: 'ALL_OLD' as const } : {}),
  };
}

/**
 * Exactly-once for one row: `ADD` the deltas and set the shard's watermark to the last contributing record,
 * only if the stored watermark is below the first contributing record. A failed condition returns the row
 * (`ALL_OLD`): if its watermark covers the whole range the row was already applied by an earlier delivery;
 * if it stops inside the range (the batch was cut differently before), the row is re-folded from the records
 * after it and retried. Nothing is applied twice and nothing is lost, whatever the redelivery. A write the store
 * refuses for its sum (a number it cannot hold, a row over 400 KB) is thrown only if its condition holds, asked by a
 * write of the condition alone ({@link failedCondition}); where the condition fails, it is a failed condition as
 * above, whichever order the store checks them in.
 *
 * @example
 * ```ts
 * await writeRowOnce(plan.rows[0], ctx);
 * ```
 */
export async function writeRowOnce(first: RowWrite, ctx: RowWriteContext): Promise<void> {
  const eo = ctx.exactlyOnce as NonNullable<RowWriteContext['exactlyOnce']>;
  const rowKey = `${first.pk}\u0000${first.sk}`;
  let row: RowWrite | undefined = first;
  // hints were learnt by whichever shard last wrote the row through this applier: never this shard's own state
  // (SET and REMOVE of one path in one expression is rejected)
  let prune = eo.hints.take(rowKey)?.filter((p) => p.attr !== eo.attrs.attr && p.attr !== eo.attrs.legacy);
  if (prune?.length === 0) prune = undefined;
  for (let attempt = 0; attempt < 8 && row !== undefined; attempt++) {
    const watermark = rowWatermarkFor(eo.attrs, row.firstSeq, row.lastSeq, row.lastApproxMs);
    const options = { now: ctx.now, watermark, prune, sampleEvery: eo.sampleEvery };
    let input: UpdateItemCommandInput | undefined;
    try {
      const sent = rowOnceInput(ctx.table, row, options);
      input = sent;
      const out = await withRetry(() => ctx.client.send(new UpdateItemCommand(sent)), retrying(ctx));
      ctx.report.requests++;
      ctx.report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
      ctx.report.rowsWritten++;
      eo.hints.learn(rowKey, out.Attributes, eo.attrs, ctx.now, prune);
      if (eo.transactional?.rows.learn(rowKey, out.Attributes)) {
        eo.transactional.toMark.set(rowKey, { rollup: first.rollup, pk: first.pk, sk: first.sk });
        // the old row is from before this write: remember the states as this write left them
        eo.transactional.rows.wroteStates(
          rowKey,
          watermark,
          prune?.map((p) => p.attr),
        );
      }
      return;
    } catch (thrown) {
      // a delta no DynamoDB number holds throws before anything is sent: refused only where the row's condition,
      // asked alone, holds too (a row whose state is past it already holds it: a redelivery cut inside a batch
      // whose rows were written, review s42r)
      const e = isRowRefusal(thrown)
        ? await refusalOrFailure(thrown, input ?? conditionOnly(thrown, row, ctx.table, options), ctx)
        : thrown;
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      if (e === thrown) {
        ctx.report.requests++;
        ctx.report.writeUnits += Math.max(1, Math.ceil(itemSizeBytes(e.Item ?? {}) / 1024));
      }
      if (refusedAsTransactional(eo, first, e.Item)) return;
      const applied = appliedSeq(e.Item, eo.attrs);
      if (prune !== undefined && (applied === undefined || applied < row.firstSeq)) {
        prune = undefined; // another shard wrote meanwhile: keep its watermark, retry without pruning
        continue;
      }
      if (applied === undefined) throw e;
      if (applied >= row.lastSeq) {
        ctx.report.rowsAlreadyApplied++;
        return;
      }
      row = replanAfter(first, applied, eo.changes, eo.folder, ctx.now);
      if (row === undefined) ctx.report.rowsAlreadyApplied++;
    }
  }
  if (row !== undefined) throw new Error(`row ${first.pk} ${first.sk} kept failing its watermark condition`);
}

/**
 * The write of `row`'s condition alone (no ADD, no leaderboard) that asks whether a write refused before it was sent
 * (`refusal`: a delta no DynamoDB number holds) would have met its condition. One that cannot be built either fails
 * the row with `APPLY_FAILED` whose `cause` is the refusal, the error that led here (review s44w: the build's error
 * was thrown in its place, and the refusal lost).
 */
function conditionOnly(
  refusal: unknown,
  row: RowWrite,
  table: string,
  options: Parameters<typeof rowOnceInput>[2],
): UpdateItemCommandInput {
  try {
    return rowOnceInput(table, { ...row, adds: [], leaderboard: undefined }, options);
  } catch (e) {
    throw new DynotallyError(
      'APPLY_FAILED',
      `row ${row.pk} ${row.sk} was refused (${errorText(refusal)}), and the check of its condition alone could not be built: ${errorText(e)}`,
      { cause: refusal, details: { pk: row.pk, sk: row.sk, check: errorText(e) } },
    );
  }
}

/** An error's name and message, for a message. */
function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * A row write the store refused for its sum: the refusal when the write's condition holds (or the row is missing),
 * else the failure of that condition, with the row. A store that computes the sum before it checks the condition
 * (DynamoDB does not document the order) refuses a redelivered write, whose condition fails, whenever adding its
 * records again would overflow: the row already holds them, and the write is answered as if its condition had
 * failed.
 */
async function refusalOrFailure(
  refusal: unknown,
  input: UpdateItemCommandInput,
  ctx: RowWriteContext,
): Promise<unknown> {
  const failed = await failedCondition(input, ctx);
  return failed?.Item === undefined ? refusal : failed;
}

/**
 * True when a per-row write was refused because the row is marked transactional: the row is then collected
 * for the transaction path (and remembered), and the per-row write is over.
 *
 * @example
 * ```ts
 * if (refusedAsTransactional(ctx.exactlyOnce, row, e.Item)) return;
 * ```
 */
export function refusedAsTransactional(
  eo: NonNullable<RowWriteContext['exactlyOnce']>,
  row: Pick<RowWrite, 'rollup' | 'pk' | 'sk'>,
  item: Record<string, AttributeValue> | undefined,
): boolean {
  const tx = eo.transactional;
  if (tx === undefined || item === undefined) return false;
  const rowKey = `${row.pk}\u0000${row.sk}`;
  if (tx.rows.learn(rowKey, item)) tx.toMark.set(rowKey, { rollup: row.rollup, pk: row.pk, sk: row.sk });
  if (!isTransactionalItem(item)) return false;
  tx.refused.set(rowKey, { rollup: row.rollup, pk: row.pk, sk: row.sk, item });
  return true;
}

/**
 * A row re-planned from the batch's records after the sequence number its watermark says was applied, or
 * undefined when nothing is left to write.
 *
 * @example
 * ```ts
 * const rest = replanAfter(row, storedSeq, fold.changes, folder, Date.now());
 * ```
 */
export function replanAfter(
  row: Pick<RowWrite, 'pk' | 'sk'>,
  applied: string,
  changes: readonly Change[],
  folder: Folder,
  now: number,
): RowWrite | undefined {
  const co = new Coalescer();
  for (const ch of changes) if (ch.sequenceNumber > applied) folder.fold(ch, co);
  const acc = co.get(row.pk, row.sk);
  return acc === undefined ? undefined : (planRow(acc, { now }) ?? watermarkOnlyWrite(acc, now));
}

/**
 * True for the rows (one in `every`, by a hash of the row and its last record) whose write asks for the old
 * row, to learn stale watermarks to prune.
 *
 * @example
 * ```ts
 * sampled(row, 16);
 * ```
 */
export function sampled(row: RowWrite, every: number): boolean {
  return sampledKey(row.sk + row.lastSeq, every);
}

/**
 * True for one key in `every`, by a hash of the key (1: every key; 0 or less: none).
 *
 * @example
 * ```ts
 * sampledKey(`${rowKey}${lastSeq}`, 16);
 * ```
 */
export function sampledKey(key: string, every: number): boolean {
  if (every <= 1) return every === 1;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return (h >>> 0) % every === 0;
}
