import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../cost/item-size.ts';

/** What the applier believes about a stored row: its counter attributes and its approximate size. */
export interface KnownRow {
  /** Attributes a PartiQL `a = a + ?` can add to (the row is known to hold them). */
  readonly attrs: Set<string>;
  /** Approximate stored size in bytes, for metering write units the store does not report. */
  bytes: number;
}

const LIMIT = 50_000;

/**
 * A bounded memory of rows this process has written or seen: which exist and which counter attributes they
 * hold. It only predicts the cheapest PartiQL statement (INSERT for a row never seen, UPDATE for a known row,
 * `if_not_exists` for attributes it lacks); a wrong prediction costs a second statement, never a wrong
 * count, because every statement is checked by the store (`DuplicateItem`, a missing row, a missing
 * attribute). Attributes are only ever added to a row, so a known attribute stays true while the row exists.
 *
 * @example
 * ```ts
 * const known = new KnownRows();
 * known.wrote('store#s1\u0000M2026-11', ['orders', 'orders_22'], 120);
 * known.get('store#s1\u0000M2026-11')?.attrs.has('orders'); // true
 * ```
 */
export class KnownRows {
  private readonly rows = new Map<string, KnownRow>();

  get(rowKey: string): KnownRow | undefined {
    return this.rows.get(rowKey);
  }

  /** The row holds these attributes now (a write succeeded); `bytes` is its estimated size after the write. */
  wrote(rowKey: string, attrs: Iterable<string>, bytes: number): void {
    let row = this.rows.get(rowKey);
    if (row === undefined) {
      if (this.rows.size >= LIMIT) this.rows.clear();
      row = { attrs: new Set(), bytes };
      this.rows.set(rowKey, row);
    }
    for (const a of attrs) row.attrs.add(a);
    row.bytes = Math.max(row.bytes, bytes);
  }

  /** The stored row as the store returned it (`ALL_OLD`): its attributes and exact size. */
  saw(rowKey: string, item: Record<string, AttributeValue>): void {
    const attrs: string[] = [];
    for (const name in item) if (item[name]?.N !== undefined) attrs.push(name);
    this.forget(rowKey);
    this.wrote(rowKey, attrs, itemSizeBytes(item));
  }

  /** The row does not exist (or nothing is known about it any more). */
  forget(rowKey: string): void {
    this.rows.delete(rowKey);
  }
}
