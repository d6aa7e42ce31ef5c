import {
  type DynamoDBClient,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import { Coalescer, type Folder } from '../fold/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { planWrites, rowUpdateParams, type WritePlan } from '../plan/index.ts';
import type { ApplyReport } from './apply-report.ts';
import { transactionUnits } from './capacity.ts';
import { requestToken } from './request-token.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { readShardWatermark, shardWatermarkUpdate } from './shard-watermark.ts';
import { rowBytesBound, TRANSACTION_BYTES_BUDGET, WATERMARK_ITEM_BYTES } from './transaction-bytes.ts';
import { retrying, writeExtrema } from './write-extrema.ts';

/** The most row updates in one transaction (DynamoDB allows 100 items; one is the watermark). */
export const MAX_ROWS_PER_TRANSACTION = DYNAMO_LIMITS.transactionItems - 1;

/** What {@link applyTransactional} needs. */
export interface TransactionalContext {
  client: DynamoDBClient;
  table: string;
  source: string;
  shardId: string;
  now: number;
  concurrency: number;
  report: ApplyReport;
  retry?: RetryOptions;
  folder: Folder;
}

/**
 * The per-shard-watermark strategy: records at or below the shard's watermark are skipped; the rest are cut,
 * in sequence order, into chunks whose coalesced rows fit one `TransactWriteItems` (≤ 99 rows + the
 * watermark update conditioned on the value read, and their size bounds within DynamoDB's 4 MB less a margin,
 * `TRANSACTION_BYTES_BUDGET`). A transaction cancelled because the watermark moved
 * re-reads it and re-plans; counters and watermark move together, so nothing is applied twice.
 *
 * @example
 * ```ts
 * await applyTransactional(changes, { client, table, source, shardId, now: Date.now(), concurrency: 16, report, folder });
 * ```
 */
export async function applyTransactional(
  changes: readonly Change[],
  ctx: TransactionalContext,
): Promise<void> {
  let watermark = await readShardWatermark(ctx.client, ctx.table, ctx.source, ctx.shardId);
  let pending = after(changes, watermark, ctx.report);
  for (let conflicts = 0; pending.length > 0; ) {
    const { chunk, plan, input, last } = transactionChunk(pending, watermark, ctx);
    const items = input.TransactItems as TransactWriteItem[];
    // min / max / last first: they are idempotent, and once the watermark has moved a retry skips these
    // records, so writing them after the commit would lose them to a crash in between
    await writeExtrema(ctx.client, ctx.table, plan.extrema, ctx);
    try {
      const out = await withRetry(() => ctx.client.send(new TransactWriteItemsCommand(input)), retrying(ctx));
      ctx.report.transactions++;
      ctx.report.rowsWritten += plan.rows.length;
      ctx.report.writeUnits += transactionUnits(
        out.ConsumedCapacity,
        items.length,
        plan.rows.filter((r) => r.leaderboard !== undefined).length,
      );
    } catch (e) {
      if (
        !(e instanceof TransactionCanceledException) ||
        e.CancellationReasons?.[items.length - 1]?.Code !== 'ConditionalCheckFailed'
      )
        throw e;
      if (++conflicts > 5) throw e;
      watermark = await readShardWatermark(ctx.client, ctx.table, ctx.source, ctx.shardId);
      pending = after(pending, watermark, ctx.report);
      continue;
    }
    ctx.report.expired += plan.expired;
    ctx.report.cancelled += plan.cancelled;
    watermark = last;
    pending = pending.slice(chunk.length);
  }
}

/**
 * One transaction of {@link applyTransactional}: its records, their plan, the request and its last record.
 *
 * @example
 * ```ts
 * const { input }: TransactionChunk = transactionChunk(changes, undefined, ctx);
 * ```
 */
export interface TransactionChunk {
  /** The records of the transaction: the longest prefix of the pending ones whose rows fit one. */
  readonly chunk: readonly Change[];
  /** Their coalesced rows (in the transaction) and min / max / last writes (sent by `UpdateItem` before it). */
  readonly plan: WritePlan;
  /** The `TransactWriteItems` input: the rows' updates, then the shard's watermark item moved to `last`. */
  readonly input: TransactWriteItemsCommandInput;
  /** The chunk's last sequence number: the shard's watermark once the transaction commits. */
  readonly last: string;
}

/**
 * The next transaction of the `transaction` strategy, for the records after the shard's watermark (`pending`, in
 * sequence order) given the watermark read (`undefined`: no watermark item yet). Pure: {@link applyTransactional}
 * sends it, the dry run shows it.
 *
 * @example
 * ```ts
 * const { input, plan, last } = transactionChunk(changes, undefined, { table, source, shardId, now, folder });
 * ```
 */
export function transactionChunk(
  pending: readonly Change[],
  watermark: string | undefined,
  ctx: Pick<TransactionalContext, 'table' | 'source' | 'shardId' | 'now' | 'folder'>,
): TransactionChunk {
  const chunk = cutChunk(pending, ctx.folder);
  const co = new Coalescer();
  for (const ch of chunk) ctx.folder.fold(ch, co);
  const plan = planWrites(co, { now: ctx.now });
  const last = (chunk[chunk.length - 1] as Change).sequenceNumber;
  const items: TransactWriteItem[] = plan.rows.map((w) => {
    const { TableName, Key, UpdateExpression, ExpressionAttributeNames, ExpressionAttributeValues } =
      rowUpdateParams(ctx.table, w, { now: ctx.now });
    return {
      Update: { TableName, Key, UpdateExpression, ExpressionAttributeNames, ExpressionAttributeValues },
    };
  });
  items.push(shardWatermarkUpdate(ctx.table, ctx.source, ctx.shardId, watermark, last, ctx.now));
  const input: TransactWriteItemsCommandInput = {
    TransactItems: items,
    ClientRequestToken: requestToken(items),
    ReturnConsumedCapacity: 'INDEXES',
  };
  return { chunk, plan, input, last };
}

function after(changes: readonly Change[], watermark: string | undefined, report: ApplyReport): Change[] {
  if (watermark === undefined) return [...changes];
  const rest = changes.filter((c) => c.sequenceNumber > watermark);
  report.skipped += changes.length - rest.length;
  return rest;
}

/**
 * The longest prefix whose distinct rows fit one transaction (at least one record): at most
 * {@link MAX_ROWS_PER_TRANSACTION} rows, and their size bounds (`rowBytesBound`: nothing here knows a row's size)
 * with the watermark item within {@link TRANSACTION_BYTES_BUDGET}. The applier refuses rollups one record of
 * which could pass either alone (`checkOneRecordTransaction`).
 */
function cutChunk(changes: readonly Change[], folder: Folder): Change[] {
  const rows = new Set<string>();
  let bytes = WATERMARK_ITEM_BYTES;
  let n = 0;
  for (; n < changes.length; n++) {
    const probe = new Coalescer();
    folder.fold(changes[n] as Change, probe);
    let added = 0;
    let addedBytes = 0;
    for (const r of probe.rows())
      if (!rows.has(`${r.pk}\u0000${r.sk}`)) {
        added++;
        addedBytes += rowBytesBound(r.rollup, r.kind);
      }
    if (
      n > 0 &&
      (rows.size + added > MAX_ROWS_PER_TRANSACTION || bytes + addedBytes > TRANSACTION_BYTES_BUDGET)
    )
      break;
    for (const r of probe.rows()) rows.add(`${r.pk}\u0000${r.sk}`);
    bytes += addedBytes;
  }
  return changes.slice(0, Math.max(1, n));
}
