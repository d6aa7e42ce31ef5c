import type { DynamoDBRecord } from 'aws-lambda';
import { type Change, decodeRecord } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { Coalescer } from './coalescer.ts';
import { Folder } from './fold-changes.ts';

/**
 * A record that can never be folded, with the reason, for the dead-letter sink.
 *
 * @example
 * ```ts
 * for (const p of result.poison) console.error(p.error.code, p.record.eventID);
 * ```
 */
export interface PoisonRecord {
  readonly record: DynamoDBRecord;
  /** Position in the batch. */
  readonly index: number;
  readonly sequenceNumber: string | undefined;
  readonly error: DynotallyError;
  /**
   * The rows a replay of its dead letter writes, when not every row the record touches (a row that kept the
   * record because taking it back was refused is left out).
   */
  readonly pendingRows?: ReadonlyArray<{ readonly pk: string; readonly sk: string }> | undefined;
}

/**
 * The pure result of folding a batch.
 *
 * @example
 * ```ts
 * const { coalescer, changes, poison } = foldBatch(rollups, event.Records, { shardId: event.shardId });
 * ```
 */
export interface FoldResult {
  readonly coalescer: Coalescer;
  /** Successfully decoded and folded changes, in batch order. */
  readonly changes: Change[];
  readonly poison: PoisonRecord[];
}

/** Options for {@link foldBatch}. */
export interface FoldBatchOptions {
  shardId?: string | undefined;
  /** Only fold records with a sequence number above this (40-digit) watermark. */
  after?: string | undefined;
  /** Reuse a folder (keeps its caches warm across batches). */
  folder?: Folder;
}

/**
 * decode → fold → coalesce for one batch. Records that fail to decode or fold are returned as poison
 * (never counted as zero, never thrown), so the caller can dead-letter them and move on.
 * A bug inside the fold (`INTERNAL_ERROR`, such as two groups of one partition key in the coalescer) is
 * thrown instead: nothing of the batch may be written then.
 *
 * @example
 * ```ts
 * const result = foldBatch([storeMetrics.compiled], event.Records);
 * result.coalescer.size; // distinct rows to write
 * ```
 */
export function foldBatch(
  rollups: readonly CompiledRollup[],
  records: readonly DynamoDBRecord[],
  options: FoldBatchOptions = {},
): FoldResult {
  const folder = options.folder ?? new Folder(rollups);
  const coalescer = new Coalescer();
  const changes: Change[] = [];
  const poison: PoisonRecord[] = [];
  const after = options.after;
  const decodeOptions = { shardId: options.shardId };
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as DynamoDBRecord;
    let change: Change | undefined;
    try {
      change = decodeRecord(record, decodeOptions);
      if (after !== undefined && change.sequenceNumber <= after) continue;
      folder.fold(change, coalescer);
      changes.push(change);
    } catch (e) {
      // a broken invariant of the fold (INTERNAL_ERROR) is no fault of the record, and may have left it half
      // accumulated: the batch fails whole instead of dead-lettering records and writing the rest
      if (isDynotallyError(e, 'INTERNAL_ERROR')) throw e;
      const error = isDynotallyError(e)
        ? e
        : new DynotallyError(
            'VALUE_INVALID',
            `folding the record failed: ${(e as Error)?.message ?? String(e)}`,
            { cause: e },
          );
      poison.push({
        record,
        index: i,
        sequenceNumber: change?.sequenceNumber ?? record?.dynamodb?.SequenceNumber,
        error,
      });
    }
  }
  folder.release();
  return { coalescer, changes, poison };
}
