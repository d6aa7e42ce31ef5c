import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Item, itemSizeBytes } from './item-size.ts';
import { unitsForBytes, type WriteUnitOptions } from './write-units.ts';

/** What {@link indexWriteUnits} needs to know about a global secondary index. */
export interface IndexCostSpec {
  /** The index's key attributes; an item lacking one of them is not in the (sparse) index. */
  keys: readonly string[];
  /** `'ALL'` (default) or the attributes copied into the index, table and index keys included. */
  projection?: 'ALL' | readonly string[];
}

function canonical(value: AttributeValue | undefined): string {
  if (value === undefined) return '';
  if (value.SS) return `SS${JSON.stringify([...value.SS].sort())}`;
  if (value.NS) return `NS${JSON.stringify([...value.NS].sort())}`;
  if (value.B) return `B${Buffer.from(value.B).toString('base64')}`;
  if (value.BS) return `BS${JSON.stringify(value.BS.map((b) => Buffer.from(b).toString('base64')).sort())}`;
  if (value.L) return `L[${value.L.map(canonical).join(',')}]`;
  if (value.M) {
    const keys = Object.keys(value.M).sort();
    return `M{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value.M?.[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function project(item: Item, projection: IndexCostSpec['projection']): Item {
  if (projection === undefined || projection === 'ALL') return item;
  const out: Item = {};
  for (const name of projection) {
    const value = item[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function sameAttributes(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (canonical(a[name]) !== canonical(b[name])) return false;
  return true;
}

/**
 * Write units a global secondary index adds to one item write, by AWS's rules: an item entering
 * or leaving the index costs one index write, a change of an index key value costs two (delete +
 * put), a change of projected attributes one (larger of before and after), anything else none.
 * Each index write is sized by the projected item; transactions count twice.
 *
 * @example
 * ```ts
 * const leaderboard = { keys: ['lbk', 'lbv'] };
 * indexWriteUnits(oldRow, newRow, leaderboard); // 2 when lbv changed on a small row
 * ```
 */
export function indexWriteUnits(
  before: Item | undefined,
  after: Item | undefined,
  index: IndexCostSpec,
  options: WriteUnitOptions = {},
): number {
  const inIndex = (item: Item | undefined): item is Item =>
    item !== undefined && index.keys.every((k) => item[k] !== undefined);
  const was = inIndex(before) ? project(before, index.projection) : undefined;
  const is = inIndex(after) ? project(after, index.projection) : undefined;
  let units = 0;
  if (was && is) {
    const keyChanged = index.keys.some((k) => canonical(was[k]) !== canonical(is[k]));
    if (keyChanged) units = unitsForBytes(itemSizeBytes(was)) + unitsForBytes(itemSizeBytes(is));
    else if (!sameAttributes(was, is)) units = unitsForBytes(Math.max(itemSizeBytes(was), itemSizeBytes(is)));
  } else if (was) {
    units = unitsForBytes(itemSizeBytes(was));
  } else if (is) {
    units = unitsForBytes(itemSizeBytes(is));
  }
  return units * (options.transactional ? 2 : 1);
}
