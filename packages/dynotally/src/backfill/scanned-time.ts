import type { CompiledRollup } from '../definition/index.ts';

/**
 * Whether a scanned item has its own event time for a version: the time attribute is present and not NULL. The fold
 * reads an absent or NULL time alike, falling back to the record's creation time, which a scan does not have (it
 * would be the scan's clock): such an item is no member of a scan, and only the stream can place it. The backfill's
 * verdicts and `verify`'s expected rows use this one test.
 *
 * @example
 * ```ts
 * hasScannedTime(orders.compiled, { t: { NULL: true } }); // false
 * hasScannedTime(orders.compiled, { t: { N: '1764000000000' } }); // true
 * ```
 */
export function hasScannedTime(version: CompiledRollup, item: Readonly<Record<string, unknown>>): boolean {
  const attr = version.time?.attribute;
  if (attr === undefined) return false;
  const v = item[attr] as { NULL?: unknown } | undefined;
  return v !== undefined && v.NULL === undefined;
}
