import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CompiledMeasure } from '../definition/index.ts';
import { beats } from '../fold/index.ts';
import { addNum, type Num, parseNum } from '../numbers/index.ts';

/**
 * A measure's value in a result. Numbers are exact: a JS `number` when the value is a safe integer, else a
 * decimal string (`'12.50'` is returned as `'12.5'`, `'12345678901234567890'` stays a string). `count` and
 * `sum` are `0` when nothing was counted; `min`, `max` and `last` are `null` when there is no value.
 * `last` (and `min`/`max` of string or boolean attributes) may be a string or boolean.
 *
 * @example
 * ```ts
 * const v: MeasureValue = 42;
 * const money: MeasureValue = '1234.56';
 * ```
 */
export type MeasureValue = number | string | boolean | null;

/**
 * A stored scalar: what an aggregate attribute holds.
 *
 * @example
 * ```ts
 * const s: Scalar = readScalar({ N: '3' })!; // 3
 * ```
 */
export type Scalar = Num | string | boolean;

/**
 * The running value of one measure while cells are combined.
 *
 * @example
 * ```ts
 * const acc = new MeasureAccumulator(measure);
 * acc.add(3); acc.add(4);
 * acc.result(); // 7
 * ```
 */
export class MeasureAccumulator {
  private value: Scalar | undefined;
  private time = Number.NEGATIVE_INFINITY;

  constructor(readonly measure: CompiledMeasure) {}

  /** Folds in one cell's value (`time`: the event time of a `last` value). */
  add(v: Scalar, time?: number): void {
    const m = this.measure;
    if (m.additive) {
      this.value = this.value === undefined ? (v as Num) : addNum(this.value as Num, v as Num);
      return;
    }
    const t = time ?? Number.NEGATIVE_INFINITY;
    if (
      this.value === undefined ||
      beats(m.kind as 'min' | 'max' | 'last', v, t, { value: this.value, time: this.time })
    ) {
      this.value = v;
      this.time = t;
    }
  }

  /** The raw value, `undefined` when no cell had one. */
  raw(): Scalar | undefined {
    return this.value;
  }

  /** The event time of a `last` value. */
  eventTime(): number | undefined {
    return this.value === undefined || this.time === Number.NEGATIVE_INFINITY ? undefined : this.time;
  }

  /** The value as returned to callers. */
  result(): MeasureValue {
    return toMeasureValue(this.measure, this.value);
  }
}

/**
 * The exact external form of a stored value (see {@link MeasureValue}).
 *
 * @example
 * ```ts
 * toMeasureValue(countMeasure, undefined); // 0
 * toMeasureValue(sumMeasure, new Dec('0.30')); // '0.3'
 * ```
 */
export function toMeasureValue(m: CompiledMeasure, v: Scalar | undefined): MeasureValue {
  if (v === undefined) return m.additive ? 0 : null;
  if (typeof v === 'number') return v === 0 ? 0 : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return v.toFixed();
}

/**
 * Reads a stored attribute: numbers exactly, strings and booleans as they are; anything else is absent.
 *
 * @example
 * ```ts
 * readScalar({ N: '0.10' }); // Dec('0.1')
 * ```
 */
export function readScalar(av: AttributeValue | undefined): Scalar | undefined {
  if (av === undefined) return undefined;
  if (av.N !== undefined) return parseNum(av.N);
  if (av.S !== undefined) return av.S;
  if (av.BOOL !== undefined) return av.BOOL;
  return undefined;
}
