import { type Item, itemSizeBytes } from './item-size.ts';

/** Options for {@link writeUnits} and {@link indexWriteUnits}. */
export interface WriteUnitOptions {
  /** Part of a `TransactWriteItems` call: every unit counts twice. */
  transactional?: boolean;
}

/** Bytes per write unit. */
export const WRITE_UNIT_BYTES = 1024;

/**
 * Write units for `bytes`: one per started kilobyte, at least one.
 *
 * @example
 * ```ts
 * unitsForBytes(2560); // 3 (a 2.5 KB item)
 * ```
 */
export function unitsForBytes(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/**
 * Write units DynamoDB bills the base table for one item write: the larger of the item's size
 * before and after, in started kilobytes (a put replacing an item, an update, a delete of an
 * existing item), at least 1 (also for a delete of a missing item); twice that in a transaction.
 * Writes to global secondary indexes are extra: see {@link indexWriteUnits}.
 *
 * @example
 * ```ts
 * writeUnits(undefined, item); // insert
 * writeUnits(oldRow, newRow, { transactional: true }); // update inside TransactWriteItems
 * ```
 */
export function writeUnits(
  before: Item | undefined,
  after: Item | undefined,
  options: WriteUnitOptions = {},
): number {
  const bytes = Math.max(before ? itemSizeBytes(before) : 0, after ? itemSizeBytes(after) : 0);
  return unitsForBytes(bytes) * (options.transactional ? 2 : 1);
}
