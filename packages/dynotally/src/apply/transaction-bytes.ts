import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { itemSizeBytes, utf8Length } from '../cost/item-size.ts';
import type { CompiledRollup, CompiledRowKind } from '../definition/compiled.ts';
import { rowSizeBound } from '../definition/row-size-bound.ts';
import { DYNAMO_LIMITS, WRITE_LIMITS } from '../layout/dynamo-limits.ts';

/**
 * Bytes of items the transaction cutters put in one `TransactWriteItems`: DynamoDB's 4 MB less room for the
 * request's own text, 100 actions at the 4 KB expression limit (409,600 bytes). AWS documents only that "the
 * aggregate size of the items in the transaction cannot exceed 4 MB", not whether an `Update` counts the item
 * before or after the update, or the request: rows are counted here at the larger size they can have (a bound,
 * or a known size with what the write adds), and the text at its limit.
 *
 * @example
 * ```ts
 * TRANSACTION_BYTES_BUDGET; // 3_784_704
 * ```
 */
export const TRANSACTION_BYTES_BUDGET =
  DYNAMO_LIMITS.transactionBytes - DYNAMO_LIMITS.transactionItems * WRITE_LIMITS.expressionBytes;

/**
 * Whether `items` items holding `bytes` (each counted as the cutters count it: a bound, or a known size with a
 * margin) fit one `TransactWriteItems`: DynamoDB's 100 items, and {@link TRANSACTION_BYTES_BUDGET}. The one
 * question every transaction cutter asks (the transactional rows' `cutChunk`, a dead letter's `replayChunks`).
 *
 * @example
 * ```ts
 * fitsOneTransaction(10, 9 * 409_600); // true: 9 rows at 400 KB and a small item
 * fitsOneTransaction(11, 10 * 409_600); // false: over the bytes
 * ```
 */
export function fitsOneTransaction(items: number, bytes: number): boolean {
  return items <= DYNAMO_LIMITS.transactionItems && bytes <= TRANSACTION_BYTES_BUDGET;
}

/**
 * A watermark item's size bound: its keys at DynamoDB's key limits, the 40-digit sequence number, `updatedAt` and
 * `ttl` (`~wm#<shard>` of the `transaction` strategy, `~wt#<shard>` of the per-shard transactional rows).
 */
export const WATERMARK_ITEM_BYTES =
  2 + DYNAMO_LIMITS.partitionKeyBytes + 2 + DYNAMO_LIMITS.sortKeyBytes + 256;

/** Bytes a cell the write adds to a known row may take: a 38-digit number under its name (`rowSizeBound`'s rule). */
const NUMBER_BYTES = 21;
/** The transactional marker (`~tx`) and anything small the transactional write sets beside the cells. */
const MARKER_BYTES = 16;

const bounds = new WeakMap<CompiledRowKind, number>();

/**
 * The most bytes a row of this kind can hold, from the definition's own size rule (`rowSizeBound`: every cell
 * present, numbers at 38 digits, `last()` strings at the rollup's limit, hundreds of shard states), plus
 * `stateBytes` beyond that rule's states (a row past an applier's state budget); never above DynamoDB's 400 KB,
 * which no stored row passes. What a row of unknown size counts for in a transaction.
 *
 * @example
 * ```ts
 * rowBytesBound(jobs.compiled, jobs.compiled.rows[0]); // e.g. 35_000 for a count per day
 * ```
 */
export function rowBytesBound(rollup: CompiledRollup, kind: CompiledRowKind, stateBytes = 0): number {
  let bound = bounds.get(kind);
  if (bound === undefined) {
    const { fixedBytes, lastCells } = rowSizeBound(kind, rollup.measures);
    const last = lastCells > 0 ? lastCells * Math.min(rollup.lastValueMaxBytes, DYNAMO_LIMITS.itemBytes) : 0;
    bound = fixedBytes + last + MARKER_BYTES;
    bounds.set(kind, bound);
  }
  return Math.min(DYNAMO_LIMITS.itemBytes, bound + stateBytes);
}

/**
 * A known row's size after a transaction adds `attrs` to it: the stored item as last returned, each attribute it
 * lacks at a 38-digit number, and a margin (a tenth, and 1 KB) for what other writers added since it was read;
 * never above 400 KB.
 *
 * @example
 * ```ts
 * knownRowBytes(out.Item, ['orders_22']); // the item's size, 9 + 21 for the new cell, and the margin
 * ```
 */
export function knownRowBytes(item: Record<string, AttributeValue>, attrs: Iterable<string>): number {
  let bytes = itemSizeBytes(item) + MARKER_BYTES;
  for (const a of attrs) if (item[a] === undefined) bytes += utf8Length(a) + NUMBER_BYTES;
  return Math.min(DYNAMO_LIMITS.itemBytes, Math.ceil(bytes * 1.1) + 1024);
}
