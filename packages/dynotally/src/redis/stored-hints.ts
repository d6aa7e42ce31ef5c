import type { Redis } from 'ioredis';
import { Dec } from '../numbers/index.ts';
import { cellField } from './keys.ts';
import { redisCall } from './lua-script.ts';
import { HINTS_SCRIPT } from './scripts.ts';

/** Beyond this many digits before or after the point, a stored value gets a hint (two narrow values always fit). */
const NARROW_DIGITS = 16;

/**
 * Whether a value DynamoDB holds is *wide*: 1e16 or more in magnitude, or with more than 16 digits after the point.
 * Two values that are not wide always add up within 38 significant digits (at most 16 + 1 before the point and 16
 * after), so only a wide stored value can make a buffered cell's flush overflow; the flusher keeps a hint of those
 * in Redis, and the write script checks a cell's sum against it.
 *
 * @example
 * ```ts
 * isWideNumber('100000000000000000000'); // true (1e20)
 * isWideNumber('1234.5678'); // false
 * ```
 */
export function isWideNumber(n: string): boolean {
  const d = new Dec(n);
  if (d.isZero()) return false;
  return d.e >= NARROW_DIGITS || d.decimalPlaces() > NARROW_DIGITS;
}

/**
 * What a flushed row write left in DynamoDB (`ReturnValues: 'UPDATED_NEW'`): its partition and sort key and the
 * new values (`N` strings) of the attributes it added to.
 *
 * @example
 * ```ts
 * const stored: StoredRow = { pk: 'amounts#sbig', sk: 'ALL', values: [['total', '100000000000000000000']] };
 * ```
 */
export interface StoredRow {
  pk: string;
  sk: string;
  values: ReadonlyArray<readonly [attr: string, value: string]>;
}

/**
 * Keeps the stored-value hints (`h:<pk>`: `<sk>|<attr>` → the value DynamoDB holds) in step with what a flush
 * wrote: a wide value ({@link isWideNumber}) is recorded, a hint of a value no longer wide is removed. One script
 * call for all the rows given (the flusher gives a chunk of rows at a time); keys without hints are only looked at.
 * The buffer's write script adds a cell's new sum to the hint and refuses a record that would make the flush of
 * the cell pass 38 significant digits — before it is buffered, where it can still be isolated record by record.
 *
 * @example
 * ```ts
 * await updateStoredHints(redis, prefix, [{ pk, sk: 'ALL', values: [['total', '1e20']] }], keyTtlMs, 10_000);
 * ```
 */
export async function updateStoredHints(
  redis: Redis,
  prefix: string,
  rows: readonly StoredRow[],
  keyTtlMs: number,
  timeoutMs: number,
): Promise<void> {
  const args: string[] = [];
  for (const row of rows) {
    for (const [attr, value] of row.values) {
      args.push(row.pk, cellField(row.sk, attr), isWideNumber(value) ? value : '');
    }
  }
  if (args.length === 0) return;
  await redisCall(
    HINTS_SCRIPT.run(redis, [], [prefix, String(keyTtlMs), ...args]),
    timeoutMs,
    'record what DynamoDB holds',
  );
}
