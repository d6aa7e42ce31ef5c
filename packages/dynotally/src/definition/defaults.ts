/**
 * Default retention per granularity kind: fine buckets expire, calendar buckets stay.
 * Override per rollup with `retention: { minute: '3d' }`.
 *
 * @example
 * ```ts
 * DEFAULT_RETENTION.minute; // '8d'
 * ```
 */
export const DEFAULT_RETENTION: Readonly<Record<string, string>> = {
  second: '2d',
  minute: '8d',
  nminute: '35d',
  hour: '400d',
  day: 'forever',
  week: 'forever',
  month: 'forever',
  year: 'forever',
  all: 'forever',
};

/** Attribute names dynotally itself writes on aggregate rows. */
export const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'pk',
  'sk',
  'ttl',
  'updatedAt',
  'lbk',
  'lbv',
]);
