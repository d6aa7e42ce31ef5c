import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { compareNum, type Num } from '../numbers/index.ts';
import { CellTable } from './cell-table.ts';
import type { Extremum, RowAcc } from './row-acc.ts';

let epochs = 0;

/**
 * The rows of one partition key touched in a coalescer: by sort key, in first-touch order, and per row kind
 * the row last used with the bucket it belongs to (so the fold finds the row of a repeat event without a
 * map lookup). Lives only as long as its coalescer: nothing of a batch survives into the next.
 *
 * @example
 * ```ts
 * const g = coalescer.group('store#sstore-1', rollup.compiled.rows.length);
 * g.rows.length; // rows of this partition touched so far
 * ```
 */
export interface GroupRows {
  readonly pk: string;
  /** Rows by sort key, made once the group has more rows than a linear scan handles well. */
  bySk: Map<string, CoalescedRow> | undefined;
  /** First-touch order. */
  readonly rows: CoalescedRow[];
  /** Per row kind index: the bucket of `accs[i]` (compared by identity). */
  readonly hosts: unknown[];
  readonly accs: (CoalescedRow | undefined)[];
}

/**
 * A row of a coalescer: its {@link RowAcc} and its integer id in the coalescer's cell table.
 */
export interface CoalescedRow extends RowAcc {
  readonly id: number;
}

/**
 * Sums deltas per (row, attribute) across a batch so the number of writes is the number of distinct rows
 * touched, not the number of events. Zero sums are dropped when the plan is made.
 *
 * Columnar inside: rows get integer ids, and every delta goes to one open-addressing {@link CellTable}
 * keyed by (row id, attribute id), summed as fixed-scale integers while exact. A row's `attrs` and
 * `deltas` are filled from the table only when rows are read ({@link Coalescer.rowList},
 * {@link Coalescer.rows}, {@link Coalescer.get}), once per batch.
 *
 * @example
 * ```ts
 * const co = new Coalescer();
 * const folder = new Folder([rollup.compiled]);
 * for (const change of changes) folder.fold(change, co);
 * co.size; // distinct rows touched
 * ```
 */
export class Coalescer {
  private readonly byPk = new Map<string, GroupRows>();
  private readonly all: CoalescedRow[] = [];
  private readonly cells: CellTable;
  /** True when cells changed since the rows' `attrs` and `deltas` were last filled. */
  private dirty = false;
  /** Unique per coalescer. */
  readonly epoch = ++epochs;

  /** @param expectedCells how many cells the batch is expected to touch (sizes the table; it grows past). */
  constructor(expectedCells?: number) {
    this.cells = new CellTable(expectedCells);
  }

  /** Distinct (row, attribute) cells touched so far. */
  get cellCount(): number {
    return this.cells.size;
  }

  /** Distinct rows touched so far. */
  get size(): number {
    return this.all.length;
  }

  /** The rows of one partition key, created on first touch; `kinds` = the rollup's number of row kinds. */
  group(pk: string, kinds: number): GroupRows {
    let g = this.byPk.get(pk);
    if (g === undefined) {
      // exact-size arrays (push would reserve 17 slots each)
      const hosts = new Array<unknown>(kinds);
      const accs = new Array<CoalescedRow | undefined>(kinds);
      for (let i = 0; i < kinds; i++) {
        hosts[i] = undefined;
        accs[i] = undefined;
      }
      g = { pk, bySk: undefined, rows: [], hosts, accs };
      this.byPk.set(pk, g);
    }
    return g;
  }

  /** The accumulator for a row of a group, created on first touch. */
  rowIn(
    g: GroupRows,
    rollup: CompiledRollup,
    kind: CompiledRowKind,
    sk: string,
    bucketEnd: number,
    seq: string,
    approxMs: number,
  ): CoalescedRow {
    let acc = findRow(g, sk);
    if (acc === undefined) {
      acc = {
        id: this.all.length,
        rollup,
        kind,
        pk: g.pk,
        sk,
        bucketEnd,
        attrs: NO_ATTRS,
        deltas: NO_DELTAS,
        extrema: undefined,
        firstSeq: seq,
        lastSeq: seq,
        lastApproxMs: approxMs,
      };
      this.all.push(acc);
      const rows = g.rows;
      rows.push(acc);
      if (g.bySk !== undefined) g.bySk.set(sk, acc);
      else if (rows.length > SCAN_LIMIT) {
        const bySk = new Map<string, CoalescedRow>();
        for (let i = 0; i < rows.length; i++) bySk.set((rows[i] as CoalescedRow).sk, rows[i] as CoalescedRow);
        g.bySk = bySk;
      }
    } else {
      acc.lastSeq = seq;
      acc.lastApproxMs = approxMs;
    }
    return acc;
  }

  /** The accumulator for a row, created on first touch. */
  row(
    rollup: CompiledRollup,
    kind: CompiledRowKind,
    pk: string,
    sk: string,
    bucketEnd: number,
    seq: string,
    approxMs: number,
  ): CoalescedRow {
    return this.rowIn(this.group(pk, rollup.rows.length), rollup, kind, sk, bucketEnd, seq, approxMs);
  }

  /**
   * Adds `units / 10^scale` to an attribute of a row (`units` a safe integer; `attr` the {@link attrId} of
   * `name`).
   *
   * @example
   * ```ts
   * co.addFixed(row, attrId('revenue'), 'revenue', -1250, 2); // −12.50
   * ```
   */
  addFixed(row: CoalescedRow, attr: number, name: string, units: number, scale: number): void {
    this.dirty = true;
    this.cells.addFixed(row.id, attr, name, units, scale);
  }

  /**
   * Adds an exact value to an attribute of a row (the path for decimals that are no fixed-scale integers).
   *
   * @example
   * ```ts
   * co.addExact(row, attrId('revenue'), 'revenue', new Dec('1e20'));
   * ```
   */
  addExact(row: CoalescedRow, attr: number, name: string, value: Num): void {
    this.dirty = true;
    this.cells.addExact(row.id, attr, name, value);
  }

  /** Every touched row, in first-touch order per partition. */
  *rows(): IterableIterator<RowAcc> {
    this.settle();
    for (const g of this.byPk.values()) yield* g.rows;
  }

  /** Every touched row as an array, in the order of {@link Coalescer.rows} (cheaper to walk than the iterator). */
  rowList(): RowAcc[] {
    this.settle();
    const out = new Array<RowAcc>(this.all.length);
    let n = 0;
    for (const g of this.byPk.values()) {
      const rows = g.rows;
      for (let i = 0; i < rows.length; i++) out[n++] = rows[i] as RowAcc;
    }
    return out;
  }

  /** Records another contribution to a row already in hand (same as `row()` finding it). */
  touch(acc: RowAcc, seq: string, approxMs: number): void {
    acc.lastSeq = seq;
    acc.lastApproxMs = approxMs;
  }

  /** The accumulator of one row, if touched. */
  get(pk: string, sk: string): RowAcc | undefined {
    const g = this.byPk.get(pk);
    if (g === undefined) return undefined;
    this.settle();
    return findRow(g, sk);
  }

  /** Fills every row's `attrs` and `deltas` from the cell table (exact-size arrays, first-touch order). */
  private settle(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const all = this.all;
    const cells = this.cells;
    const n = cells.size;
    const per = new Int32Array(all.length);
    for (let k = 0; k < n; k++) {
      const r = cells.rowAt(cells.slotAt(k));
      per[r] = (per[r] as number) + 1;
    }
    for (let r = 0; r < all.length; r++) {
      const acc = all[r] as CoalescedRow;
      const m = per[r] as number;
      acc.attrs = m === 0 ? NO_ATTRS : new Array<string>(m);
      acc.deltas = m === 0 ? NO_DELTAS : new Array<Num>(m);
      per[r] = 0;
    }
    for (let k = 0; k < n; k++) {
      const i = cells.slotAt(k);
      const r = cells.rowAt(i);
      const acc = all[r] as CoalescedRow;
      const j = per[r] as number;
      per[r] = j + 1;
      acc.attrs[j] = cells.nameAt(i);
      acc.deltas[j] = cells.valueAt(i);
    }
  }
}

/**
 * The attributes of a row nothing was added to: shared and frozen (never written into).
 */
const NO_ATTRS = Object.freeze([]) as unknown as string[];
const NO_DELTAS = Object.freeze([]) as unknown as Num[];

/** Groups with up to this many rows are searched linearly (most hold two to four rows per batch). */
const SCAN_LIMIT = 8;

function findRow(g: GroupRows, sk: string): CoalescedRow | undefined {
  if (g.bySk !== undefined) return g.bySk.get(sk);
  const rows = g.rows;
  for (let i = 0; i < rows.length; i++) if ((rows[i] as CoalescedRow).sk === sk) return rows[i];
  return undefined;
}

/**
 * The summed delta of an attribute in a row (undefined when untouched).
 *
 * @example
 * ```ts
 * deltaOf(acc, 'orders'); // 3
 * ```
 */
export function deltaOf(acc: RowAcc, attr: string): Num | undefined {
  const i = acc.attrs.indexOf(attr);
  return i === -1 ? undefined : acc.deltas[i];
}

/**
 * Offers a value to a min / max / last attribute; keeps the winner.
 *
 * @example
 * ```ts
 * offerExtremum(acc, 'power', 'last', 230, eventTimeMs);
 * ```
 */
export function offerExtremum(
  acc: RowAcc,
  attr: string,
  op: Extremum['op'],
  value: Num | string | boolean,
  time: number,
): void {
  if (acc.extrema === undefined) acc.extrema = new Map();
  const cur = acc.extrema.get(attr);
  if (cur === undefined) {
    acc.extrema.set(attr, { op, value, time });
    return;
  }
  if (beats(op, value, time, cur)) {
    cur.value = value;
    cur.time = time;
  }
}

/**
 * True when (value, time) wins over the current extremum: smaller for min, larger for max, later (then
 * larger) for last. The same rule is used by the conditional updates in the store.
 *
 * @example
 * ```ts
 * beats('max', 5, 0, { op: 'max', value: 3, time: 0 }); // true
 * ```
 */
export function beats(
  op: Extremum['op'],
  value: Num | string | boolean,
  time: number,
  cur: { value: Num | string | boolean; time: number },
): boolean {
  if (op === 'last') {
    if (time !== cur.time) return time > cur.time;
    return compareScalar(value, cur.value) > 0;
  }
  const c = compareScalar(value, cur.value);
  return op === 'min' ? c < 0 : c > 0;
}

/** Orders scalars: numbers by value, strings by code unit, booleans false < true; mixed types by type name. */
export function compareScalar(a: Num | string | boolean, b: Num | string | boolean): number {
  const ta = typeof a === 'object' ? 'number' : typeof a;
  const tb = typeof b === 'object' ? 'number' : typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'number') return Math.sign(compareNum(a as Num, b as Num));
  if (ta === 'string') return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  return a === b ? 0 : a ? 1 : -1;
}
