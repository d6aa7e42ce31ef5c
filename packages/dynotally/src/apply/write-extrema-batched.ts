import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unitsForBytes } from '../cost/write-units.ts';
import { type ExtremumWrite, extremumUpdateStatement } from '../plan/index.ts';
import type { ApplyReport } from './apply-report.ts';
import { type KeyedStatement, RETRYABLE_STATEMENT_CODES, sendStatements } from './batch-statements.ts';
import type { KnownRows } from './known-rows.ts';
import { type RetryOptions, roundBackoff } from './retry.ts';
import { writeExtrema } from './write-extrema.ts';
import type { PartiqlState } from './write-options.ts';
import { rowKeyOf } from './write-rows-batched.ts';
import { extremumAttrWrites } from './write-sizes.ts';

/** What {@link writeExtremaBatched} needs. */
export interface BatchedExtremaContext {
  client: DynamoDBClient;
  table: string;
  now: number;
  concurrency: number;
  report: ApplyReport;
  retry?: RetryOptions;
  known: KnownRows;
  partiql: PartiqlState;
}

const MAX_ROUNDS = 8;

/**
 * The statements {@link writeExtremaBatched} sends for min / max / last values, each keyed by its row.
 *
 * @example
 * ```ts
 * const items = extremumStatements(plan.extrema, 'aggregates', Date.now());
 * ```
 */
export function extremumStatements(
  extrema: readonly ExtremumWrite[],
  table: string,
  now: number,
): KeyedStatement[] {
  return extrema.map((e) => ({ key: rowKeyOf(e), statement: extremumUpdateStatement(table, e, { now }) }));
}

/**
 * Sends min / max / last values as conditional PartiQL `UPDATE`s, 25 to a `BatchExecuteStatement` (never two on
 * one row in a request). They are idempotent, so a failed condition on an existing row is success; a missing
 * row (PartiQL has no upsert) or any other failure goes through `UpdateItem` ({@link writeExtrema}); throttled
 * statements are sent again after a backoff.
 *
 * @example
 * ```ts
 * await writeExtremaBatched(plan.extrema, { client, table: 'aggregates', now, concurrency: 8, report, known, partiql });
 * ```
 */
export async function writeExtremaBatched(
  extrema: readonly ExtremumWrite[],
  ctx: BatchedExtremaContext,
): Promise<void> {
  let viaItem: ExtremumWrite[] = [];
  let pending = ctx.partiql.enabled ? [...extrema] : [];
  // a batch's extrema can pass what a spread call's arguments may hold: the array itself, or a copy
  if (!ctx.partiql.enabled) viaItem = [...extrema];
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) {
      for (const x of pending) viaItem.push(x);
      break;
    }
    if (round > 0) await roundBackoff(round);
    const items = extremumStatements(pending, ctx.table, ctx.now);
    const answers = await sendStatements(items, { ...ctx, capacity: ctx.partiql });
    const next: ExtremumWrite[] = [];
    let estimated = 0;
    for (const { indexes } of answers.requestErrors) {
      ctx.partiql.enabled = false;
      for (const i of indexes) viaItem.push(pending[i] as ExtremumWrite);
    }
    answers.responses.forEach((r, i) => {
      if (r === undefined) return;
      const e = pending[i] as ExtremumWrite;
      const code = r.Error?.Code;
      const rowKey = rowKeyOf(e);
      if (code === undefined) {
        // written: the row changed (in the leaderboard index too, projection ALL, when the row is ranked)
        const inIndex = ctx.known.get(rowKey)?.attrs.has('lbv') === true;
        const { before, after } = ctx.known.wrote(rowKey, extremumAttrWrites(e, ctx.now));
        estimated += unitsForBytes(Math.max(before, after)) * (inIndex ? 2 : 1);
        ctx.report.extremaWritten++;
      } else if (code === 'ConditionalCheckFailed' && r.Error?.Item !== undefined) {
        // the stored value already wins, so the row holds the extremum; the refusal is billed by the stored row
        ctx.known.saw(rowKey, r.Error.Item);
        estimated += unitsForBytes(ctx.known.get(rowKey)?.bytes ?? 0);
        ctx.report.extremaWritten++;
      } else if (RETRYABLE_STATEMENT_CODES.has(code)) {
        ctx.report.retries++;
        next.push(e);
      } else {
        if (code === 'ConditionalCheckFailed') estimated += 1; // no such row (no upsert in PartiQL): 1 unit billed
        viaItem.push(e); // written by UpdateItem, as anything else
      }
    });
    if (answers.reportedUnits > 0) ctx.report.writeUnits += answers.reportedUnits;
    else {
      ctx.report.writeUnits += estimated;
      ctx.report.estimatedWriteUnits += estimated;
    }
    pending = next;
  }
  if (viaItem.length > 0) await writeExtrema(ctx.client, ctx.table, viaItem, ctx);
}
