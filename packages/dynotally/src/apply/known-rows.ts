import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { attributeValueSize, utf8Length } from '../cost/item-size.ts';

/** One attribute a successful write put in a row. */
export interface AttrWrite {
  readonly name: string;
  /** Stored size of the value written (a `SET`), or of the delta added (an `ADD`), in bytes. */
  readonly bytes: number;
  /** Added to a stored number: a value already there keeps its estimated size (its digits are not tracked). */
  readonly add?: boolean;
  /**
   * Written with the same size by every write of the row (keys, `updatedAt`, `ttl`): counted when the row becomes
   * known, not remembered by name (at the 50,000-row limit, four counters a row: 23.4 MiB of heap instead of
   * 34.2 MiB; the size-less memory before took 16.6 MiB: `bench/known-rows-heap.ts`).
   */
  readonly fixed?: boolean;
}

/** What the applier believes about a stored row: its attributes and their sizes. */
export interface KnownRow {
  /**
   * Attributes the row holds (a PartiQL `a = a + ?` can add to them), each with its value's estimated size; keys
   * and other fixed-size attributes only when the row was returned whole (`saw`).
   */
  readonly attrs: Map<string, number>;
  /** Estimated stored size in bytes (every attribute), for metering write units the store does not report. */
  bytes: number;
}

/** A row's estimated size in bytes before and after a write (`before` is 0 for a row not known, see {@link KnownRows.wrote}). */
export interface SizeChange {
  before: number;
  after: number;
}

const LIMIT = 50_000;

/**
 * A bounded memory of rows this process has written or seen: which exist, which attributes they hold and how
 * big they are. It predicts the cheapest PartiQL statement (INSERT for a row never seen, UPDATE for a known row,
 * `if_not_exists` for attributes it lacks); a wrong prediction costs a second statement, never a wrong count,
 * because every statement is checked by the store (`DuplicateItem`, a missing row, a missing attribute). It also
 * sizes the row for the write units of statements the store does not meter: each write's attributes are added
 * to the row, so a row that gains attributes batch after batch (minutes in an hour row) is priced at its stored
 * size, not at the size of the last write. A row first seen through an `UPDATE` is known from that write on (a
 * floor of its size) until the store returns it whole (`saw`).
 *
 * @example
 * ```ts
 * const known = new KnownRows();
 * known.wrote('store#s1\u0000M2026-11', [{ name: 'pk', bytes: 8, fixed: true }, { name: 'orders', bytes: 2, add: true }]); // { before: 0, after: 18 }
 * known.wrote('store#s1\u0000M2026-11', [{ name: 'pk', bytes: 8, fixed: true }, { name: 'orders_22', bytes: 2, add: true }]); // { before: 18, after: 29 }
 * known.get('store#s1\u0000M2026-11')?.attrs.has('orders'); // true
 * ```
 */
export class KnownRows {
  private readonly rows = new Map<string, KnownRow>();

  get(rowKey: string): KnownRow | undefined {
    return this.rows.get(rowKey);
  }

  /**
   * A write to the row succeeded: its attributes are set (or added to), `removed` ones are gone. Returns the
   * row's estimated size before and after; a row not known before starts empty (an `INSERT`'s exact size, an
   * `UPDATE`'s floor).
   */
  wrote(rowKey: string, writes: Iterable<AttrWrite>, removed: Iterable<string> = []): SizeChange {
    let row = this.rows.get(rowKey);
    const fresh = row === undefined;
    if (row === undefined) {
      if (this.rows.size >= LIMIT) this.rows.clear();
      row = { attrs: new Map(), bytes: 0 };
      this.rows.set(rowKey, row);
    }
    const before = row.bytes;
    for (const name of removed) {
      const size = row.attrs.get(name);
      if (size === undefined) continue;
      row.attrs.delete(name);
      row.bytes -= utf8Length(name) + size;
    }
    for (const w of writes) {
      if (w.fixed === true) {
        if (fresh) row.bytes += utf8Length(w.name) + w.bytes;
        continue;
      }
      const size = row.attrs.get(w.name);
      if (size === undefined) {
        row.attrs.set(w.name, w.bytes);
        row.bytes += utf8Length(w.name) + w.bytes;
      } else if (w.add !== true) {
        row.attrs.set(w.name, w.bytes);
        row.bytes += w.bytes - size;
      }
    }
    return { before, after: row.bytes };
  }

  /** The stored row as the store returned it (`ALL_OLD`): its attributes and exact size. */
  saw(rowKey: string, item: Record<string, AttributeValue>): void {
    this.forget(rowKey);
    const writes: AttrWrite[] = [];
    for (const name in item) {
      const value = item[name];
      if (value !== undefined) writes.push({ name, bytes: attributeValueSize(value) });
    }
    this.wrote(rowKey, writes);
  }

  /** The row does not exist (or nothing is known about it any more). */
  forget(rowKey: string): void {
    this.rows.delete(rowKey);
  }
}
