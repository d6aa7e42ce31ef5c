import { addNum, fixedToNum, type Num, POW10 } from '../numbers/index.ts';

/** Scale tag of a cell whose sum left the integer fast path and is kept as an exact {@link Num}. */
const EXACT = 255;

/**
 * The summed deltas of one batch, one cell per (row id, attribute id), in one open-addressing hash table
 * with typed-array columns. A sum is an integer number of units at a fixed decimal scale while it stays a
 * safe integer (counts, integer sums, money such as `12.34`); a value that does not fit (an exponent, more
 * than 15 digits) or a sum that would pass `Number.MAX_SAFE_INTEGER`, also after rescaling, turns that cell
 * into an exact decimal for the rest of the batch. No object is allocated per delta.
 *
 * @example
 * ```ts
 * const t = new CellTable();
 * t.addFixed(0, 7, 'revenue', 1250, 2); // 12.50
 * t.addFixed(0, 7, 'revenue', 5, 1);    // 0.5
 * t.valueAt(t.slotAt(0)).toString();    // '13'
 * ```
 */
export class CellTable {
  private mask: number;
  private rowKey: Int32Array;
  private attrKey: Int32Array;
  private units: Float64Array;
  private scales: Uint8Array;
  private exact: (Num | undefined)[] = [];
  private names: string[];
  /** Slots in first-touch order. */
  private order: Int32Array;
  private count = 0;

  /** @param expected cells expected (the table starts large enough for them, and grows past them). */
  constructor(expected = 16) {
    let size = 64;
    while (size < expected * 2 && size < 1 << 24) size *= 2;
    this.mask = size - 1;
    this.rowKey = new Int32Array(size).fill(-1);
    this.attrKey = new Int32Array(size);
    this.units = new Float64Array(size);
    this.scales = new Uint8Array(size);
    this.names = new Array<string>(size);
    this.order = new Int32Array(size / 2);
  }

  /** Cells so far. */
  get size(): number {
    return this.count;
  }

  /** Adds `units / 10^scale` to the cell (`units` a safe integer, `scale` 0 … 22). */
  addFixed(row: number, attr: number, name: string, units: number, scale: number): void {
    const i = this.slot(row, attr, name, scale);
    const s = this.scales[i] as number;
    if (s === scale) {
      const r = (this.units[i] as number) + units;
      if (Number.isSafeInteger(r)) {
        this.units[i] = r;
        return;
      }
    } else if (s !== EXACT) {
      if (s > scale) {
        const u = units * (POW10[s - scale] as number);
        const r = (this.units[i] as number) + u;
        if (Number.isSafeInteger(u) && Number.isSafeInteger(r)) {
          this.units[i] = r;
          return;
        }
      } else {
        const c = (this.units[i] as number) * (POW10[scale - s] as number);
        const r = c + units;
        if (Number.isSafeInteger(c) && Number.isSafeInteger(r)) {
          this.units[i] = r;
          this.scales[i] = scale;
          return;
        }
      }
    }
    this.addExactAt(i, fixedToNum(units, scale));
  }

  /** Adds an exact value to the cell (the slow path: decimals that are no fixed-scale integers). */
  addExact(row: number, attr: number, name: string, value: Num): void {
    const i = this.slot(row, attr, name, 0);
    if (typeof value === 'number' && this.scales[i] !== EXACT) this.addFixed(row, attr, name, value, 0);
    else this.addExactAt(i, value);
  }

  private addExactAt(i: number, value: Num): void {
    this.exact[i] = addNum(this.valueAt(i), value);
    this.scales[i] = EXACT;
  }

  /** The slot of the `k`-th cell in first-touch order. */
  slotAt(k: number): number {
    return this.order[k] as number;
  }

  /** The row id of a slot. */
  rowAt(i: number): number {
    return this.rowKey[i] as number;
  }

  /** The attribute name of a slot. */
  nameAt(i: number): string {
    return this.names[i] as string;
  }

  /** The exact sum of a slot. */
  valueAt(i: number): Num {
    const s = this.scales[i] as number;
    if (s === EXACT) return this.exact[i] as Num;
    return fixedToNum(this.units[i] as number, s);
  }

  /** The slot of a cell, created (zero, at `scale`) on first touch. */
  private slot(row: number, attr: number, name: string, scale: number): number {
    const rowKey = this.rowKey;
    const mask = this.mask;
    let i = (Math.imul(row, 0x9e3779b1) ^ Math.imul(attr, 0x85ebca77)) & mask;
    for (;;) {
      const r = rowKey[i] as number;
      if (r === row && this.attrKey[i] === attr) return i;
      if (r === -1) break;
      i = (i + 1) & mask;
    }
    rowKey[i] = row;
    this.attrKey[i] = attr;
    this.units[i] = 0;
    this.scales[i] = scale;
    this.names[i] = name;
    if (this.count === this.order.length) {
      const order = new Int32Array(this.order.length * 2);
      order.set(this.order);
      this.order = order;
    }
    this.order[this.count++] = i;
    if (this.count * 2 > mask) return this.grow(i);
    return i;
  }

  /** Doubles the table; returns where slot `keep` moved. */
  private grow(keep: number): number {
    const oldRow = this.rowKey;
    const oldAttr = this.attrKey;
    const oldUnits = this.units;
    const oldScales = this.scales;
    const oldExact = this.exact;
    const oldNames = this.names;
    const size = oldRow.length * 2;
    const mask = size - 1;
    this.mask = mask;
    this.rowKey = new Int32Array(size).fill(-1);
    this.attrKey = new Int32Array(size);
    this.units = new Float64Array(size);
    this.scales = new Uint8Array(size);
    this.exact = [];
    this.names = new Array<string>(size);
    let moved = keep;
    const order = this.order;
    for (let k = 0; k < this.count; k++) {
      const from = order[k] as number;
      const row = oldRow[from] as number;
      const attr = oldAttr[from] as number;
      let i = (Math.imul(row, 0x9e3779b1) ^ Math.imul(attr, 0x85ebca77)) & mask;
      while (this.rowKey[i] !== -1) i = (i + 1) & mask;
      this.rowKey[i] = row;
      this.attrKey[i] = attr;
      this.units[i] = oldUnits[from] as number;
      this.scales[i] = oldScales[from] as number;
      if (oldScales[from] === EXACT) this.exact[i] = oldExact[from];
      this.names[i] = oldNames[from] as string;
      order[k] = i;
      if (from === keep) moved = i;
    }
    return moved;
  }
}
