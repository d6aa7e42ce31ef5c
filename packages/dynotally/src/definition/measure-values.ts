import type { MeasureDef, MeasureKind } from './measures.ts';

/**
 * The value of a `count` in results: a whole number (negative only if more items left a bucket than
 * entered it). Exact up to `Number.MAX_SAFE_INTEGER` (2^53 − 1, nine quadrillion items), the only range a
 * count can reach in practice.
 *
 * @example
 * ```ts
 * const jobs: CountValue = 1234;
 * ```
 */
export type CountValue = number;

/**
 * The value of a `sum` in results, exact to DynamoDB's 38 significant digits: a `number` when the sum is a
 * safe integer, otherwise a decimal string (`'12.5'`, `'0.3'`, `'12345678901234567890'`), never a rounded
 * float. Parse strings with a decimal library (`new Decimal(v)`) or `Number(v)` if rounding is acceptable.
 *
 * @example
 * ```ts
 * const revenue: SumValue = '1234.56';
 * const units: SumValue = 42;
 * ```
 */
export type SumValue = number | string;

/**
 * The value of a `min` or `max` in results: a number read exactly like {@link SumValue} (a decimal string
 * unless a safe integer), or `null` when no item contributed to the window or bucket.
 *
 * @example
 * ```ts
 * const peak: ExtremumValue = 230;
 * const none: ExtremumValue = null;
 * ```
 */
export type ExtremumValue = number | string | null;

/**
 * The value of a `last` in results: whatever the source attribute held (numbers exactly as in
 * {@link SumValue}, strings, booleans), or `null` when no item contributed.
 *
 * @example
 * ```ts
 * const status: LastValue = 'shipped';
 * ```
 */
export type LastValue = number | string | boolean | null;

/**
 * The result value type of a measure kind (before any `null` for an omitted measure).
 *
 * @example
 * ```ts
 * type V = ValueOfKind<'count'>; // number
 * ```
 */
export type ValueOfKind<K extends MeasureKind> = {
  count: CountValue;
  sum: SumValue;
  min: ExtremumValue;
  max: ExtremumValue;
  last: LastValue;
}[K];

/**
 * The result value type of a measure declaration: its kind's value, plus `null` when the measure keeps only
 * some of the rollup's granularities (a `total` or `series` that no kept granularity of that measure can
 * answer leaves it out and returns `null` for it).
 *
 * @example
 * ```ts
 * type V = ValueOfMeasure<ReturnType<typeof sum>>; // number | string | null (a plain MeasureDef is not narrowed)
 * ```
 */
export type ValueOfMeasure<D> = D extends MeasureDef<MeasureKind, infer V> ? V : never;

/**
 * The value types of a measures record, by measure name.
 *
 * @example
 * ```ts
 * type V = MeasureValuesOf<{ jobs: MeasureDef<'count', number> }>; // { readonly jobs: number }
 * ```
 */
export type MeasureValuesOf<M> = { readonly [K in Extract<keyof M, string>]: ValueOfMeasure<M[K]> };
