import type { Granularity } from './granularity-name.ts';
import type { LastValue, ValueOfKind } from './measure-values.ts';
import type { Where } from './where.ts';

/** The aggregate a measure keeps. */
export type MeasureKind = 'count' | 'sum' | 'min' | 'max' | 'last';

/**
 * Options shared by every measure. `G` is the type of `granularities`, inferred by the measure functions so
 * that a restricted measure's value type includes `null`.
 *
 * @example
 * ```ts
 * const o: MeasureOptions = { where: { type: 'order' }, storeAs: 'o', granularities: ['day'] };
 * ```
 */
export interface MeasureOptions<
  G extends readonly Granularity[] | undefined = readonly Granularity[] | undefined,
> {
  /** Only items matching this filter contribute. */
  where?: Where;
  /** The attribute name used in the aggregate table (default: the measure's name). Short names save write units. */
  storeAs?: string;
  /**
   * Restrict the measure to some of the rollup's granularities (default: all of them). Its value type then
   * includes `null`: a `total` or `series` without a `measures` list leaves it out when none of these answers.
   */
  granularities?: G;
}

/**
 * A measure's value type: its kind's value, `| null` when its `granularities` option (of type `G`) may be set.
 *
 * @example
 * ```ts
 * type A = OptionsValue<'count', undefined>; // number
 * type B = OptionsValue<'count', readonly ['day']>; // number | null
 * ```
 */
export type OptionsValue<K extends MeasureKind, G> = G extends undefined
  ? ValueOfKind<K>
  : ValueOfKind<K> | null;

type Restriction = readonly Granularity[] | undefined;

/**
 * A measure declaration, made by {@link count}, {@link sum}, {@link min}, {@link max} or {@link last}.
 *
 * @example
 * ```ts
 * const m: MeasureDef = sum('amount', { where: { type: 'order' } });
 * ```
 */
export interface MeasureDef<K extends MeasureKind = MeasureKind, V = LastValue> {
  readonly kind: K;
  readonly attribute: string | undefined;
  readonly options: MeasureOptions;
  /** Type-level only (the value type results carry): never set at run time. */
  readonly __value?: V;
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
export function count<const G extends Restriction = undefined>(
  options: MeasureOptions<G> = {},
): MeasureDef<'count', OptionsValue<'count', G>> {
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
export function sum<const G extends Restriction = undefined>(
  attribute: string,
  options: MeasureOptions<G> = {},
): MeasureDef<'sum', OptionsValue<'sum', G>> {
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
export function min<const G extends Restriction = undefined>(
  attribute: string,
  options: MeasureOptions<G> = {},
): MeasureDef<'min', OptionsValue<'min', G>> {
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
export function max<const G extends Restriction = undefined>(
  attribute: string,
  options: MeasureOptions<G> = {},
): MeasureDef<'max', OptionsValue<'max', G>> {
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
export function last<const G extends Restriction = undefined>(
  attribute: string,
  options: MeasureOptions<G> = {},
): MeasureDef<'last', OptionsValue<'last', G>> {
  return { kind: 'last', attribute, options };
}
