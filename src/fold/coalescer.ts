import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { addNum, compareNum, type Num } from '../numbers/index.ts';
import type { Extremum, RowAcc } from './row-acc.ts';

/**
 * Sums deltas per (row, attribute) across a batch so the number of writes is the number of distinct rows
 * touched, not the number of events. Zero sums are dropped when the plan is made.
 *
 * @example
 * ```ts
 * const co = new Coalescer();
 * foldChanges([rollup.compiled], changes, co);
 * co.size; // distinct rows touched
 * ```
 */
let epochs = 0;

export class Coalescer {
  private readonly byPk = new Map<string, Map<string, RowAcc>>();
  private count = 0;
  /** Unique per coalescer: lets the fold cache row accumulators per group without stale hits. */
  readonly epoch = ++epochs;

  /** Distinct rows touched so far. */
  get size(): number {
    return this.count;
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
  ): RowAcc {
    let bySk = this.byPk.get(pk);
    if (bySk === undefined) {
      bySk = new Map();
      this.byPk.set(pk, bySk);
    }
    let acc = bySk.get(sk);
    if (acc === undefined) {
      acc = {
        rollup,
        kind,
        pk,
        sk,
        bucketEnd,
        attrs: [],
        deltas: [],
        extrema: undefined,
        firstSeq: seq,
        lastSeq: seq,
        lastApproxMs: approxMs,
      };
      bySk.set(sk, acc);
      this.count++;
    } else {
      acc.lastSeq = seq;
      acc.lastApproxMs = approxMs;
    }
    return acc;
  }

  /** Every touched row, in first-touch order per partition. */
  *rows(): IterableIterator<RowAcc> {
    for (const bySk of this.byPk.values()) yield* bySk.values();
  }

  /** Records another contribution to a row already in hand (same as `row()` finding it). */
  touch(acc: RowAcc, seq: string, approxMs: number): void {
    acc.lastSeq = seq;
    acc.lastApproxMs = approxMs;
  }

  /** The accumulator of one row, if touched. */
  get(pk: string, sk: string): RowAcc | undefined {
    return this.byPk.get(pk)?.get(sk);
  }
}

/**
 * Adds a signed delta to a row attribute.
 *
 * @example
 * ```ts
 * addDelta(acc, 'orders', 1);
 * ```
 */
export function addDelta(acc: RowAcc, attr: string, delta: Num): void {
  const attrs = acc.attrs;
  for (let i = 0; i < attrs.length; i++) {
    if (attrs[i] === attr) {
      acc.deltas[i] = addNum(acc.deltas[i] as Num, delta);
      return;
    }
  }
  attrs.push(attr);
  acc.deltas.push(delta);
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
