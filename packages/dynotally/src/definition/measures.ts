import type { Where } from './where.ts';

/** The aggregate a measure keeps. */
export type MeasureKind = 'count' | 'sum' | 'min' | 'max' | 'last';

/** Options shared by every measure. */
export interface MeasureOptions {
  /** Only items matching this filter contribute. */
  where?: Where;
  /** The attribute name used in the aggregate table (default: the measure's name). Short names save write units. */
  storeAs?: string;
  /** Restrict the measure to some of the rollup's granularities (default: all of them). */
  granularities?: readonly string[];
}

/**
 * A measure declaration, made by {@link count}, {@link sum}, {@link min}, {@link max} or {@link last}.
 *
 * @example
 * ```ts
 * const m: MeasureDef = sum('amount', { where: { type: 'order' } });
 * ```
 */
export interface MeasureDef {
  readonly kind: MeasureKind;
  readonly attribute: string | undefined;
  readonly options: MeasureOptions;
}

/**
 * Counts matching items (INSERT +1, REMOVE −1, MODIFY moves the contribution).
 *
 * @example
 * ```ts
 * defineRollup({ name: 'store', groupBy: 'storeId', granularities: ['day'],
 *   measures: { orders: count({ where: { type: 'order' } }) } });
 * ```
 */
export function count(options: MeasureOptions = {}): MeasureDef {
  return { kind: 'count', attribute: undefined, options };
}

/**
 * Sums a number attribute exactly (38 digits); invertible, so exact under REMOVE and MODIFY.
 *
 * @example
 * ```ts
 * const revenue = sum('amount', { where: { type: 'order' } });
 * ```
 */
export function sum(attribute: string, options: MeasureOptions = {}): MeasureDef {
  return { kind: 'sum', attribute, options };
}

/**
 * The smallest value ever inserted into a bucket. Monotone: a REMOVE or the old side of a MODIFY does not
 * retract it (exact for insert-only sources).
 *
 * @example
 * ```ts
 * const lowest = min('price');
 * ```
 */
export function min(attribute: string, options: MeasureOptions = {}): MeasureDef {
  return { kind: 'min', attribute, options };
}

/**
 * The largest value ever inserted into a bucket. Monotone like {@link min}.
 *
 * @example
 * ```ts
 * const peak = max('watts');
 * ```
 */
export function max(attribute: string, options: MeasureOptions = {}): MeasureDef {
  return { kind: 'max', attribute, options };
}

/**
 * The value with the latest event time in a bucket (ties: the larger value). Re-sent or older readings
 * change nothing; REMOVE does not retract it.
 *
 * @example
 * ```ts
 * const power = last('watts', { granularities: ['all'] });
 * ```
 */
export function last(attribute: string, options: MeasureOptions = {}): MeasureDef {
  return { kind: 'last', attribute, options };
}
