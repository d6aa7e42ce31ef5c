import type { BatchStatementRequest } from '@aws-sdk/client-dynamodb';
import { unitsForBytes } from '../cost/write-units.ts';
import { WRITE_LIMITS } from '../layout/dynamo-limits.ts';
import { type RowWatermark, type RowWrite, rowInsertStatement, rowUpdateStatement } from '../plan/index.ts';
import { type KeyedStatement, RETRYABLE_STATEMENT_CODES, sendStatements } from './batch-statements.ts';
import type { KnownRows, SizeChange } from './known-rows.ts';
import { mapLimit } from './map-limit.ts';
import { isUnrepresentable } from './number-refusal.ts';
import { readBackSampled } from './read-back-sampled.ts';
import { roundBackoff } from './retry.ts';
import { appliedSeq, rowStateFor, rowWatermarkFor } from './shard-state.ts';
import type { PartiqlState } from './write-options.ts';
import {
  type RowWriteContext,
  refusedAsTransactional,
  refusedInto,
  replanAfter,
  sampled,
  writeRowOnce,
  writeRowPlain,
} from './write-rows.ts';
import { rowAttrWrites } from './write-sizes.ts';

/** What the batched row writer needs beyond {@link RowWriteContext}. */
export interface BatchedRowWriteContext extends RowWriteContext {
  known: KnownRows;
  partiql: PartiqlState;
}

/**
 * What choosing a row's statement reads of {@link BatchedRowWriteContext}: the memory of rows, what the applier
 * learnt of the store's PartiQL, and (row-watermark exactly-once) the shard's state attributes, the rows with
 * stale states to prune and the sampling of rows.
 *
 * @example
 * ```ts
 * const ctx: StatementChoiceContext = { table: 'aggregates', now, known: new KnownRows(), partiql: { enabled: true, ifNotExists: true } };
 * ```
 */
export interface StatementChoiceContext {
  readonly table: string;
  readonly now: number;
  readonly known: KnownRows;
  readonly partiql: PartiqlState;
  readonly exactlyOnce?:
    | {
        readonly attrs: NonNullable<RowWriteContext['exactlyOnce']>['attrs'];
        readonly hints: { has(rowKey: string): boolean };
        readonly sampleEvery: number;
      }
    | undefined;
}

/** How a row is sent in a round. */
type Shape = 'insert' | 'update' | 'update-any';

interface Pending {
  row: RowWrite;
  shape: Shape;
  /** Attributes the stored row may lack (`if_not_exists`), for `update`. */
  absent: ReadonlySet<string> | undefined;
  /** The first statement of a row the applier does not know: its outcome teaches {@link ExistenceGuesses}. */
  guessed?: boolean;
}

interface ViaItem {
  row: RowWrite;
  /** The row went here because its `if_not_exists` statement was rejected. */
  ifNotExistsRejected: boolean;
}

const MAX_ROUNDS = 8;

/** The key of a row in the applier's memory of rows. */
export function rowKeyOf(row: Pick<RowWrite, 'pk' | 'sk'>): string {
  return `${row.pk}\u0000${row.sk}`;
}

/**
 * Writes rows 25 to a PartiQL `BatchExecuteStatement`, exactly-once kept exactly as {@link writeRowOnce} keeps
 * it: each statement is a single-item write conditioned on the row's shard watermark, with the old row
 * returned on a failed condition. A row never seen is sent as `INSERT` (it only succeeds on a new row), a row
 * known to hold every attribute of the write as `UPDATE … SET a = a + ?`, one gaining attributes with
 * `if_not_exists(a, 0) + ?`. Each statement's own answer decides what follows, in further rounds:
 * `DuplicateItem` → `UPDATE` with `if_not_exists`; a missing row → `INSERT`; a missing attribute →
 * `if_not_exists`; a watermark at or past the row's last record → already applied; inside the row's range →
 * re-fold from the records after it; throttling → sent again after a backoff. Anything else — and every
 * `if_not_exists` the store rejects (the service does not document it for PartiQL) — goes through
 * `UpdateItem`; once an `UpdateItem` succeeds where `if_not_exists` was rejected, the applier stops using it.
 * Rows with stale states to prune go through `UpdateItem` too (PartiQL cannot `REMOVE` what it does not know);
 * rows sampled to learn their states are written here and read back afterwards ({@link readBackSampled}), or
 * through `UpdateItem` returning the old row when the store refuses this applier that read.
 *
 * Write units come from the store's `ConsumedCapacity` when it reports them, else from the cost model on the
 * rows' estimated sizes (`report.estimatedWriteUnits`).
 *
 * @example
 * ```ts
 * await writeRowsBatched(rows, { ...ctx, known: new KnownRows(), partiql: { enabled: true, ifNotExists: true } });
 * ```
 */
export async function writeRowsBatched(
  rows: readonly RowWrite[],
  ctx: BatchedRowWriteContext,
): Promise<void> {
  const eo = ctx.exactlyOnce;
  const viaItem: ViaItem[] = [];
  let pending = firstPending(rows, ctx, viaItem);
  /** Sampled rows written by PartiQL: read back afterwards (when the store lets this applier read). */
  const sampledRows: RowWrite[] = [];
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) {
      for (const p of pending) viaItem.push({ row: p.row, ifNotExistsRejected: false });
      break;
    }
    if (round > 0) await roundBackoff(round);
    pending = await sendRound(pending, viaItem, ctx, sampledRows);
  }
  await mapLimit(viaItem, ctx.concurrency, async ({ row, ifNotExistsRejected }) => {
    const before = ctx.unrepresentable?.length ?? 0;
    await refusedInto(ctx, row, eo === undefined ? writeRowPlain(row, ctx) : writeRowOnce(row, ctx));
    if ((ctx.unrepresentable?.length ?? 0) > before) return;
    try {
      knownAfter(row, ctx);
    } catch (e) {
      // a delta no number holds, found already applied by the row's condition (writeRowOnce): nothing was written
      if (!isUnrepresentable(e)) throw e;
      ctx.known.forget(rowKeyOf(row));
      return;
    }
    if (ifNotExistsRejected) ctx.partiql.ifNotExists = false;
  });
  await readBackSampled(sampledRows, ctx, ctx.partiql);
}

/** The rows' first statements to send; those that must go through `UpdateItem` from the start are added to `viaItem`. */
function firstPending(rows: readonly RowWrite[], ctx: StatementChoiceContext, viaItem: ViaItem[]): Pending[] {
  const eo = ctx.exactlyOnce;
  const pending: Pending[] = [];
  const readBack = ctx.partiql.readBack !== false;
  for (const row of rows) {
    const rowKey = rowKeyOf(row);
    if (
      !ctx.partiql.enabled ||
      (eo !== undefined && (eo.hints.has(rowKey) || (!readBack && sampled(row, eo.sampleEvery))))
    ) {
      viaItem.push({ row, ifNotExistsRejected: false });
      continue;
    }
    const p = firstShape(row, ctx);
    if (p === undefined) viaItem.push({ row, ifNotExistsRejected: false });
    else pending.push(p);
  }
  return pending;
}

/**
 * A round's statements of `pending`, keyed by row, with the rows they are for (`sendable`); rows whose statement
 * cannot be sent (over DynamoDB's statement length, a number the store cannot hold) are added to `viaItem`.
 */
function roundStatements(
  pending: readonly Pending[],
  ctx: StatementChoiceContext,
  viaItem: ViaItem[],
): { items: KeyedStatement[]; sendable: Pending[] } {
  const sendable: Pending[] = [];
  const items: KeyedStatement[] = [];
  for (const p of pending) {
    try {
      const statement = statementOf(p, ctx);
      // over DynamoDB's statement length the whole request would be refused (a row is kept within it, and
      // this only guards that bound): UpdateItem's expression is shorter
      if ((statement.Statement?.length ?? 0) > WRITE_LIMITS.statementChars) {
        viaItem.push({ row: p.row, ifNotExistsRejected: false });
        continue;
      }
      items.push({ key: rowKeyOf(p.row), statement });
      sendable.push(p);
    } catch (e) {
      if (!isUnrepresentable(e)) throw e;
      viaItem.push({ row: p.row, ifNotExistsRejected: false }); // refused there, and resolved record by record
    }
  }
  return { items, sendable };
}

/**
 * What {@link writeRowsBatched} sends first for `rows`, decided as it decides (nothing is sent, and nothing in
 * `ctx` changes): the statements of its first round, keyed by row, each with its row and whether it is an
 * `INSERT`, and the rows that go through `UpdateItem` from the start. The store's answers decide what follows
 * (a refused `INSERT` is sent again as an `UPDATE`, a refused `UPDATE` as an `INSERT`, …): that is not here.
 *
 * @example
 * ```ts
 * const { statements, viaItem } = firstStatements(rows, { table: 'aggregates', now, known: new KnownRows(), partiql });
 * packStatements(statements); // the BatchExecuteStatement requests, as sendStatements packs them
 * ```
 */
export function firstStatements(
  rows: readonly RowWrite[],
  ctx: StatementChoiceContext,
): {
  statements: KeyedStatement[];
  sent: Array<{ row: RowWrite; insert: boolean; guessed: boolean }>;
  viaItem: RowWrite[];
} {
  const viaItem: ViaItem[] = [];
  const { items, sendable } = roundStatements(firstPending(rows, ctx, viaItem), ctx, viaItem);
  return {
    statements: items,
    sent: sendable.map((p) => ({ row: p.row, insert: p.shape === 'insert', guessed: p.guessed === true })),
    viaItem: viaItem.map((v) => v.row),
  };
}

/**
 * Learns from a first statement of {@link firstStatements} that succeeded, as {@link writeRowsBatched} learns:
 * the row is known with what the statement wrote, and a guessed row's kind counts one more row found as guessed.
 * Returns the row's estimated size before and after.
 *
 * @example
 * ```ts
 * for (const s of firstStatements(rows, ctx).sent) succeeded(s, ctx); // the next batch's statements follow from it
 * ```
 */
export function succeeded(
  sent: { row: RowWrite; insert: boolean; guessed: boolean },
  ctx: StatementChoiceContext,
): SizeChange {
  if (sent.guessed) ctx.partiql.guesses?.saw(sent.row, !sent.insert);
  if (sent.insert) ctx.known.forget(rowKeyOf(sent.row)); // a new row: nothing of an earlier one is left
  return knownAfter(sent.row, ctx);
}

/** The statement a row is first sent as, or undefined when it must go through `UpdateItem`. */
function firstShape(row: RowWrite, ctx: StatementChoiceContext): Pending | undefined {
  const known = ctx.known.get(rowKeyOf(row));
  if (known === undefined) {
    // no upsert in PartiQL: an unknown row is sent as whichever its kind's unknown rows mostly turned out to be
    const stored = ctx.partiql.ifNotExists && ctx.partiql.guesses?.exists(row) === true;
    return { row, shape: stored ? 'update-any' : 'insert', absent: undefined, guessed: true };
  }
  let absent: Set<string> | undefined;
  for (const a of attrsOf(row)) {
    if (known.attrs.has(a)) continue;
    absent ??= new Set();
    absent.add(a);
  }
  if (absent !== undefined && !ctx.partiql.ifNotExists) return undefined;
  return { row, shape: 'update', absent };
}

function watermarkOf(row: RowWrite, ctx: StatementChoiceContext): RowWatermark | undefined {
  const eo = ctx.exactlyOnce;
  return eo === undefined
    ? undefined
    : rowWatermarkFor(eo.attrs, row.firstSeq, row.lastSeq, row.lastApproxMs);
}

function statementOf(p: Pending, ctx: StatementChoiceContext): BatchStatementRequest {
  const row = p.row;
  if (p.shape === 'insert') {
    // a new row: the shard's state is set, and there is nothing to condition (the insert fails on any row)
    const eo = ctx.exactlyOnce;
    const state = eo === undefined ? undefined : rowStateFor(eo.attrs, row.lastSeq, row.lastApproxMs);
    return rowInsertStatement(ctx.table, row, { now: ctx.now, watermark: state });
  }
  return rowUpdateStatement(ctx.table, row, {
    now: ctx.now,
    watermark: watermarkOf(row, ctx),
    absent: p.shape === 'update-any' ? 'all' : p.absent,
  });
}

function usesIfNotExists(p: Pending): boolean {
  return p.shape === 'update-any' || (p.shape === 'update' && p.absent !== undefined && p.absent.size > 0);
}

/** Sends one round; returns the rows to send again, and adds to `viaItem` those that must use `UpdateItem`. */
async function sendRound(
  pending: Pending[],
  viaItem: ViaItem[],
  ctx: BatchedRowWriteContext,
  sampledRows: RowWrite[],
): Promise<Pending[]> {
  const { items, sendable } = roundStatements(pending, ctx, viaItem);
  const answers = await sendStatements(items, { ...ctx, capacity: ctx.partiql });
  const next: Pending[] = [];
  let estimated = 0;
  const toItem = (p: Pending, ifNotExistsRejected = false) =>
    viaItem.push({ row: p.row, ifNotExistsRejected });
  const again = (p: Pending, shape: Shape, absent?: ReadonlySet<string>) => {
    if ((shape === 'update-any' || (absent?.size ?? 0) > 0) && !ctx.partiql.ifNotExists) toItem(p);
    else next.push({ row: p.row, shape, absent });
  };
  for (const { indexes } of answers.requestErrors) {
    ctx.partiql.enabled = false; // the store will not run PartiQL here: UpdateItem from now on
    for (const i of indexes) toItem(sendable[i] as Pending);
  }
  const eo = ctx.exactlyOnce;
  answers.responses.forEach((r, i) => {
    if (r === undefined) return;
    const p = sendable[i] as Pending;
    const rowKey = rowKeyOf(p.row);
    const code = r.Error?.Code;
    if (code === undefined) {
      // an INSERT made a new row: nothing of an earlier one is left
      const was = p.shape === 'insert' ? undefined : ctx.known.get(rowKey);
      // an UPDATE of a row not known (the guess, or after a refusal) found it stored, and a stored ranked row is
      // in the index (every write of it sets its rank)
      const inIndex =
        was === undefined ? p.shape !== 'insert' && p.row.leaderboard !== undefined : was.attrs.has('lbv');
      const { before, after } = succeeded(
        { row: p.row, insert: p.shape === 'insert', guessed: p.guessed === true },
        ctx,
      );
      const larger = unitsForBytes(Math.max(before, after));
      estimated += larger;
      // the leaderboard index (projection ALL): a row entering it is one index write, a moved rank two (delete
      // and put), any other change of a row in it one (the larger of before and after)
      if (p.row.leaderboard !== undefined)
        estimated += inIndex ? unitsForBytes(before) + unitsForBytes(after) : unitsForBytes(after);
      else if (inIndex) estimated += larger;
      ctx.report.rowsWritten++;
      if (eo !== undefined && sampled(p.row, eo.sampleEvery)) sampledRows.push(p.row);
      return;
    }
    if (p.guessed === true) learnGuess(ctx, p, code, r.Error?.Item !== undefined);
    if (RETRYABLE_STATEMENT_CODES.has(code)) {
      ctx.report.retries++;
      next.push(p);
      return;
    }
    if (code === 'DuplicateItem') {
      // billed like a failed condition, by the stored item, which the answer does not return: its floor, 1 unit
      estimated += 1;
      ctx.known.forget(rowKey);
      again(p, 'update-any');
      return;
    }
    if (code === 'ConditionalCheckFailed') {
      const item = r.Error?.Item;
      if (item === undefined) {
        // the key condition failed: no such row (expired, deleted, or never there); billed 1 unit all the same
        estimated += 1;
        ctx.known.forget(rowKey);
        next.push({ row: p.row, shape: 'insert', absent: undefined });
        return;
      }
      ctx.known.saw(rowKey, item);
      estimated += Math.max(1, unitsForBytes(ctx.known.get(rowKey)?.bytes ?? 0));
      if (eo === undefined) {
        toItem(p); // no watermark: not ours to explain
        return;
      }
      eo.hints.learn(rowKey, item, eo.attrs, ctx.now);
      if (refusedAsTransactional(eo, p.row, item)) return;
      const applied = appliedSeq(item, eo.attrs);
      if (applied === undefined || applied < p.row.firstSeq) {
        toItem(p);
        return;
      }
      if (applied >= p.row.lastSeq) {
        ctx.report.rowsAlreadyApplied++;
        return;
      }
      const rest = replanAfter(p.row, applied, eo.changes, eo.folder, ctx.now);
      if (rest === undefined) {
        ctx.report.rowsAlreadyApplied++;
        return;
      }
      const shaped = firstShape(rest, ctx);
      if (shaped === undefined) viaItem.push({ row: rest, ifNotExistsRejected: false });
      else next.push(shaped);
      return;
    }
    if (code === 'ValidationError') {
      if (usesIfNotExists(p)) {
        toItem(p, true);
        return;
      }
      // `a = a + ?` on a row lacking `a` (our memory was wrong), or a value the store cannot hold
      ctx.known.forget(rowKey);
      again(p, 'update-any');
      return;
    }
    toItem(p);
  });
  if (answers.reportedUnits > 0) ctx.report.writeUnits += answers.reportedUnits;
  else {
    ctx.report.writeUnits += estimated;
    ctx.report.estimatedWriteUnits += estimated;
  }
  return next;
}

/** What a guessed row's refusal says about whether it was stored (a store error such as a throttle says nothing; a success: {@link succeeded}). */
function learnGuess(ctx: BatchedRowWriteContext, p: Pending, code: string, withItem: boolean): void {
  const guesses = ctx.partiql.guesses;
  if (guesses === undefined) return;
  if (code === 'DuplicateItem') guesses.saw(p.row, true);
  else if (code === 'ConditionalCheckFailed') guesses.saw(p.row, withItem);
}

/** The counter attributes a row write adds to. */
function attrsOf(row: RowWrite): string[] {
  const out = row.adds.map((a) => a[0]);
  if (row.leaderboard !== undefined) out.push('lbv');
  return out;
}

/** Puts a successful row write into the memory of rows; returns the row's estimated size before and after it. */
function knownAfter(row: RowWrite, ctx: StatementChoiceContext): SizeChange {
  const wm = watermarkOf(row, ctx);
  return ctx.known.wrote(rowKeyOf(row), rowAttrWrites(row, wm, ctx.now), wm?.drop);
}
