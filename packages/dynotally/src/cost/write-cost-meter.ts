import { type IndexCostSpec, indexWriteUnits } from './index-write-units.ts';
import type { Item } from './item-size.ts';
import { writeUnits } from './write-units.ts';

/** What a {@link WriteCostMeter} has counted. */
export interface WriteCostTotals {
  /** Item writes (each item of a transaction counts once). */
  writes: number;
  /** Write units billed, base table plus indexes, transactions doubled. */
  writeUnits: number;
  /** `TransactWriteItems` calls. */
  transactions: number;
}

/** Options for {@link WriteCostMeter}. */
export interface WriteCostMeterOptions {
  /** Global secondary indexes of the table written to, so their writes are billed too. */
  indexes?: readonly IndexCostSpec[];
}

/** One item write: the item before and after (either may be absent). */
export interface ItemWrite {
  before?: Item | undefined;
  after?: Item | undefined;
}

/**
 * Accumulates the write cost of a run (item writes, write units, transactions) by AWS's sizing
 * rules, for the benchmark's "write units per event" and the dry-run report.
 *
 * @example
 * ```ts
 * const meter = new WriteCostMeter({ indexes: [{ keys: ['lbk', 'lbv'] }] });
 * meter.recordWrite(oldRow, newRow);
 * meter.recordTransaction([{ before: a0, after: a1 }, { before: w0, after: w1 }]);
 * console.log(meter.snapshot(), meter.unitsPerEvent(events.length));
 * ```
 */
export class WriteCostMeter {
  readonly #indexes: readonly IndexCostSpec[];
  #writes = 0;
  #units = 0;
  #transactions = 0;

  constructor(options: WriteCostMeterOptions = {}) {
    this.#indexes = options.indexes ?? [];
  }

  #unitsOf(write: ItemWrite, transactional: boolean): number {
    let units = writeUnits(write.before, write.after, { transactional });
    for (const index of this.#indexes)
      units += indexWriteUnits(write.before, write.after, index, { transactional });
    return units;
  }

  /** Counts one single-item write (`PutItem`, `UpdateItem`, `DeleteItem`) and returns its units. */
  recordWrite(before: Item | undefined, after: Item | undefined): number {
    const units = this.#unitsOf({ before, after }, false);
    this.#writes += 1;
    this.#units += units;
    return units;
  }

  /** Counts one `TransactWriteItems` call of these item writes and returns its units. */
  recordTransaction(writes: readonly ItemWrite[]): number {
    let units = 0;
    for (const write of writes) units += this.#unitsOf(write, true);
    this.#writes += writes.length;
    this.#units += units;
    this.#transactions += 1;
    return units;
  }

  /** Adds counts measured elsewhere, e.g. from `ConsumedCapacity`. */
  add(totals: Partial<WriteCostTotals>): void {
    this.#writes += totals.writes ?? 0;
    this.#units += totals.writeUnits ?? 0;
    this.#transactions += totals.transactions ?? 0;
  }

  /** The totals so far. */
  snapshot(): WriteCostTotals {
    return { writes: this.#writes, writeUnits: this.#units, transactions: this.#transactions };
  }

  /** Write units per source event (0 when there were none). */
  unitsPerEvent(events: number): number {
    return events > 0 ? this.#units / events : 0;
  }

  /** Starts counting from zero. */
  reset(): void {
    this.#writes = 0;
    this.#units = 0;
    this.#transactions = 0;
  }
}
