import { addNum, Fixed, isZeroNum, type Num, negNum } from '../numbers/index.ts';

/** Powers of ten up to a Fixed's largest scale (15). */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** `scale` of a cell held as a {@link Num} (a decimal, or a sum past the safe integers), not as units. */
const AS_NUM = -1;

/**
 * The running sums of a coalescer's cells, as columns: cell `k` is `units[k] × 10^-scale[k]` while its sum is
 * a safe integer or a {@link Fixed}, added without allocating; otherwise (`scale[k] === -1`) a {@link Num}
 * added with {@link addNum}. Each step gives exactly what {@link addNum} gives on the same two values
 * (`addFixed`'s scale and its reduction to an integer included), so {@link CellSums.value} returns the Num
 * today's chain of additions would hold: same value, same representation.
 *
 * @example
 * ```ts
 * const sums = new CellSums();
 * const k = sums.cells(1);
 * sums.first(k, 'orders', 1, 1);
 * sums.add(k, 2, 1);
 * sums.value(k); // 3
 * ```
 */
export class CellSums {
  /** Attribute name of each cell (grown with the other columns; a cell's name is set by {@link CellSums.first}). */
  names: string[] = new Array<string>(1024);
  /** Scaled integer sum of each cell (meaningful when its scale is 0 … 15). */
  private units = new Float64Array(1024);
  /** Decimal scale of `units`, or -1 when the cell's sum is in `nums`. */
  private scales = new Int8Array(1024);
  /** The sums of the cells held as a Num. */
  private readonly nums = new Map<number, Num>();
  private top = 0;

  /** Allocates `n` consecutive cells (holding nothing until {@link CellSums.first}); returns the first. */
  cells(n: number): number {
    const at = this.top;
    const top = at + n;
    if (top > this.units.length) {
      let size = this.units.length * 2;
      while (size < top) size *= 2;
      const units = new Float64Array(size);
      units.set(this.units);
      this.units = units;
      const scales = new Int8Array(size);
      scales.set(this.scales);
      this.scales = scales;
      const names = new Array<string>(size);
      for (let i = 0; i < at; i++) names[i] = this.names[i] as string;
      this.names = names;
    }
    this.top = top;
    return at;
  }

  /** Copies cell `from` into cell `to` (a row's cells moving to a larger region). */
  copy(from: number, to: number): void {
    this.names[to] = this.names[from] as string;
    this.units[to] = this.units[from] as number;
    const s = this.scales[from] as number;
    this.scales[to] = s;
    if (s === AS_NUM) this.nums.set(to, this.nums.get(from) as Num);
  }

  /** Sets a cell's name and first value (`sign` −1 subtracts it). */
  first(k: number, name: string, v: Num, sign: 1 | -1): void {
    this.names[k] = name;
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) {
        this.units[k] = sign === 1 ? v : -v || 0;
        this.scales[k] = 0;
        return;
      }
    } else if (v instanceof Fixed) {
      this.units[k] = sign === 1 ? v.units : -v.units;
      this.scales[k] = v.scale;
      return;
    }
    this.scales[k] = AS_NUM;
    this.nums.set(k, sign === 1 ? v : negNum(v));
  }

  /** Adds `sign × v` to a cell that holds a value. */
  add(k: number, v: Num, sign: 1 | -1): void {
    // the common case, small enough to inline: an integer added to an integer sum (as addDelta's `d + delta`)
    if (typeof v === 'number' && this.scales[k] === 0) {
      const r = (this.units[k] as number) + (sign === 1 ? v : -v);
      if (Number.isSafeInteger(r)) {
        this.units[k] = r === 0 ? 0 : r;
        return;
      }
    }
    this.addOther(k, v, sign);
  }

  /** {@link CellSums.add} for decimals, decimal sums and sums past the safe integers. */
  private addOther(k: number, v: Num, sign: 1 | -1): void {
    let s = this.scales[k] as number;
    if (s === AS_NUM) {
      this.addAsNum(k, this.nums.get(k) as Num, v, sign);
      return;
    }
    const u = this.units[k] as number;
    let vu: number;
    let vs: number;
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) {
        this.addAsNum(k, this.value(k), v, sign);
        return;
      }
      vu = sign === 1 ? v : -v;
      vs = 0;
    } else if (v instanceof Fixed) {
      vu = sign === 1 ? v.units : -v.units;
      vs = v.scale;
    } else {
      this.addAsNum(k, this.value(k), v, sign);
      return;
    }
    // addFixed's arithmetic: both at the larger scale, every step a safe integer, then reduced as fixedOf does
    let r: number;
    if (s === vs) {
      r = u + vu;
    } else {
      const scale = Math.max(s, vs);
      const x = s === scale ? u : u * (POW10[scale - s] as number);
      const y = vs === scale ? vu : vu * (POW10[scale - vs] as number);
      if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) {
        this.addAsNum(k, this.value(k), v, sign);
        return;
      }
      r = x + y;
      s = scale;
    }
    if (!Number.isSafeInteger(r)) {
      this.addAsNum(k, this.value(k), v, sign);
      return;
    }
    if (s !== 0) {
      const p = POW10[s] as number;
      if (r % p === 0) {
        r = r / p;
        s = 0;
      }
    }
    this.units[k] = r === 0 ? 0 : r; // never -0: a zero sum is 0, as addNum's
    this.scales[k] = s;
  }

  private addAsNum(k: number, cur: Num, v: Num, sign: 1 | -1): void {
    this.nums.set(k, addNum(cur, sign === 1 ? v : negNum(v)));
    this.scales[k] = AS_NUM;
  }

  /** True when a cell's sum is zero. */
  isZero(k: number): boolean {
    const s = this.scales[k] as number;
    if (s === AS_NUM) return isZeroNum(this.nums.get(k) as Num);
    return this.units[k] === 0;
  }

  /** A cell's sum as a Num. */
  value(k: number): Num {
    const s = this.scales[k] as number;
    if (s === AS_NUM) return this.nums.get(k) as Num;
    const u = this.units[k] as number;
    // a small integer as such (a Smi), not a boxed double: the requests turn it into text, and V8 caches the
    // text of small integers
    if (s === 0) return (u | 0) === u ? u | 0 : u;
    return new Fixed(u, s);
  }
}
