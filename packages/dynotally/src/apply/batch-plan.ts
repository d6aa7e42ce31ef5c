import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { batchStream } from '../decode/one-stream.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { type Folder, foldBatch, type PoisonRecord } from '../fold/index.ts';
import {
  extremumUpdateParams,
  planWrites,
  type RowWrite,
  rowUpdateParams,
  type WritePlan,
} from '../plan/index.ts';
import { poisonOfHalves, wideBatchHalves } from './batch-halves.ts';
import {
  type ColdApplier,
  coldApplier,
  type PlannedSend,
  plannedSends,
  type SendsOptions,
} from './planned-sends.ts';
import { rowWatermarkFor } from './shard-state.ts';
import { cancelledRowWrites } from './watermark-only.ts';

/**
 * One part of a planned batch: what one application of its records writes.
 *
 * @example
 * ```ts
 * for (const part of applier.plan({ records, shardId }).parts)
 *   console.log(`records ${part.firstRecord}…${part.firstRecord + part.records - 1}: ${part.requests.length} requests`);
 * ```
 */
export interface PlannedPart {
  /** The position of the part's first record in the batch (in sequence order, repeats dropped). */
  readonly firstRecord: number;
  /** How many records the part holds. */
  readonly records: number;
  readonly plan: WritePlan;
  /**
   * Exactly-once by row watermark only: the rows whose deltas cancelled out in the part (an item inserted and
   * removed in it), each still written to move its watermark past the part's records (no counter changes).
   */
  readonly watermarkOnly: readonly RowWrite[];
  /**
   * The part's row updates, its watermark-only row writes, then its conditional sets, each in its `UpdateItem`
   * form, whatever the write path (what the part sends is {@link PlannedPart.sends}).
   */
  readonly requests: UpdateItemCommandInput[];
  /**
   * The requests apply sends for the part, in order, on the applier's write path (PartiQL `BatchExecuteStatement`s,
   * `UpdateItem`s or `TransactWriteItems`), as a fresh applier sends them when every one succeeds
   * ({@link plannedSends}).
   */
  readonly sends: PlannedSend[];
}

/**
 * What `Applier.plan` returns: the plan of a batch and the exact requests it would send, part by part. A batch
 * whose folded rows fit one write each is one part; a wider one is planned in the parts `Applier.apply` sends,
 * one after the other ({@link wideBatchHalves}), so every request fits DynamoDB's limits on one write.
 *
 * @example
 * ```ts
 * const { plan, requests, parts } = applier.plan({ records, shardId });
 * if (parts.length > 1) console.log(`${requests.length} requests in ${parts.length} parts`);
 * ```
 */
export interface BatchPlan {
  /**
   * The parts' plans joined in send order: a row written in several parts appears once in each; `expired` and
   * `cancelled` are summed over the parts.
   */
  plan: WritePlan;
  /** Records that could not be folded, by position in the batch. */
  poison: PoisonRecord[];
  /**
   * Every row update and conditional set in its `UpdateItem` form, in part order, whatever the write path (kept
   * for the dry runs of earlier versions; what apply sends is {@link BatchPlan.sends}).
   */
  requests: UpdateItemCommandInput[];
  /**
   * The requests apply sends, in order, on the applier's write path: PartiQL `BatchExecuteStatement`s of up to 25
   * statements (the default), `UpdateItem`s (`write: { api: 'update-item' }`, and rows PartiQL cannot carry), or
   * `TransactWriteItems` (the `transaction` strategy), as a fresh applier sends them the first time, every request
   * succeeding. A refusal makes apply send more (a stored row refusing its `INSERT` gets an `UPDATE`, a missing row
   * refusing its `UPDATE` an `INSERT`, a min / max / last on a missing row an `UpdateItem`, a watermark moved
   * meanwhile a new transaction): those are not here, nor are reads. Empty under exactly-once without a shard id
   * (apply refuses such a batch).
   */
  sends: PlannedSend[];
  /** The parts' watermark-only row writes (exactly-once: rows whose deltas cancelled out), in send order. */
  watermarkOnly: RowWrite[];
  /** The parts, in the order they are applied: one unless a row of the batch is wider than one write. */
  parts: PlannedPart[];
}

/** What {@link planBatch} needs. */
export interface BatchPlanContext {
  readonly rollups: readonly CompiledRollup[];
  readonly folder: Folder;
  readonly table: string;
  readonly now: number;
  readonly shardId: string | undefined;
  /**
   * Whether rows whose deltas cancel out are still written, for their watermark (exactly-once: per row under
   * row-watermark, in the transactions under the transaction strategy, which mark them).
   */
  readonly watermarkOnlyRows: boolean;
  /** Exactly-once (the mode): apply then refuses a batch without a shard id. */
  readonly exactlyOnce: boolean;
  /** The shard's state attributes (exactly-once), or undefined for unconditioned writes. */
  readonly state:
    | { readonly attr: string; readonly legacy: string; readonly drop?: readonly string[] | undefined }
    | undefined;
  /** How the applier writes, for {@link BatchPlan.sends}. */
  readonly write: SendsOptions;
}

/**
 * The plan of a batch (records in sequence order, repeats dropped), cut into parts as `Applier.apply` cuts it.
 * Pure: nothing is read or sent.
 *
 * @example
 * ```ts
 * const { requests } = planBatch(orderBatch(records), {
 *   rollups, folder, table: 'aggregates', now, shardId, watermarkOnlyRows: true, exactlyOnce: true, state,
 *   write: { api: 'partiql', transaction: false, sampleEvery: 16 },
 * });
 * ```
 */
export function planBatch(records: readonly DynamoDBRecord[], ctx: BatchPlanContext): BatchPlan {
  const parts: PlannedPart[] = [];
  const poison = planParts(records, 0, ctx, parts, coldApplier(ctx.write.api));
  const plans = parts.map((p) => p.plan);
  return {
    plan: {
      rows: plans.flatMap((p) => p.rows),
      extrema: plans.flatMap((p) => p.extrema),
      expired: plans.reduce((n, p) => n + p.expired, 0),
      cancelled: plans.reduce((n, p) => n + p.cancelled, 0),
    },
    poison,
    requests: parts.flatMap((p) => p.requests),
    sends: parts.flatMap((p) => p.sends),
    watermarkOnly: parts.flatMap((p) => p.watermarkOnly),
    parts,
  };
}

/** Plans `records` (from position `first` of the batch) into `parts`; their poison, by position in `records`. */
function planParts(
  records: readonly DynamoDBRecord[],
  first: number,
  ctx: BatchPlanContext,
  parts: PlannedPart[],
  cold: ColdApplier,
): PoisonRecord[] {
  const fold = foldBatch(ctx.rollups, records, { shardId: ctx.shardId, folder: ctx.folder });
  const halves = wideBatchHalves(records, fold.coalescer);
  if (halves !== undefined) {
    const a = planParts(halves.first, first, ctx, parts, cold);
    const b = planParts(halves.second, first + halves.offset, ctx, parts, cold);
    return poisonOfHalves(halves, a, b);
  }
  const { now, state } = ctx;
  const plan = planWrites(fold.coalescer, { now });
  // as apply: under exactly-once, a row whose deltas cancelled out is still written, for its watermark
  const watermarkOnly =
    state === undefined || !ctx.watermarkOnlyRows ? [] : cancelledRowWrites(fold.coalescer, now);
  const requests = [
    ...[...plan.rows, ...watermarkOnly].map((w) =>
      rowUpdateParams(ctx.table, w, {
        now,
        watermark:
          state === undefined ? undefined : rowWatermarkFor(state, w.firstSeq, w.lastSeq, w.lastApproxMs),
      }),
    ),
    ...plan.extrema.map((e) => extremumUpdateParams(ctx.table, e, { now })),
  ];
  // what apply sends (it refuses an exactly-once batch without a shard id before sending anything)
  const sends =
    ctx.exactlyOnce && (ctx.shardId === undefined || ctx.shardId === '')
      ? []
      : plannedSends(
          {
            table: ctx.table,
            now,
            source: batchStream(records),
            shardId: ctx.shardId,
            state,
            rows: [...plan.rows, ...watermarkOnly],
            extrema: plan.extrema,
            changes: fold.changes,
            folder: ctx.folder,
          },
          ctx.write,
          cold,
        );
  parts.push({ firstRecord: first, records: records.length, plan, watermarkOnly, requests, sends });
  return fold.poison;
}
