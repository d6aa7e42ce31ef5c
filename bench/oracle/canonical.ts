/**
 * The canonical form every benchmark contender's aggregates are compared in:
 * `Map<"storeId|granularity|bucketLabel|measure", count>`, zero values omitted.
 *
 * Bucket labels: minute `m2026-11-22T13:05` and hour `H2026-11-22T13:00` (UTC wall time of the
 * bucket's start), day `D2026-11-22`, month `M2026-11`, year `Y2026` (calendar of the zone), all `ALL`.
 */
export type Canonical = Map<string, number>;

/** The granularities of the benchmark, finest first. */
export const GRANULARITIES = ['minute', 'hour', 'day', 'month', 'year', 'all'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The two measures of the benchmark: counts of orders and of views. */
export const MEASURES = ['orders', 'views'] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * The measure an event type counts towards.
 *
 * @example
 * ```ts
 * measureOf('order'); // 'orders'
 * ```
 */
export function measureOf(type: 'order' | 'view'): Measure {
  return type === 'order' ? 'orders' : 'views';
}

/**
 * The canonical key of one aggregate.
 *
 * @example
 * ```ts
 * canonicalKey('store-0001', 'day', 'D2026-11-22', 'orders'); // 'store-0001|day|D2026-11-22|orders'
 * ```
 */
export function canonicalKey(
  storeId: string,
  granularity: Granularity,
  label: string,
  measure: Measure,
): string {
  return `${storeId}|${granularity}|${label}|${measure}`;
}

/**
 * The granularity a bucket label belongs to, from its prefix.
 *
 * @example
 * ```ts
 * granularityOfLabel('M2026-11'); // 'month'
 * granularityOfLabel('m2026-11-22T13:05'); // 'minute'
 * ```
 */
export function granularityOfLabel(label: string): Granularity {
  if (label === 'ALL') return 'all';
  switch (label[0]) {
    case 'm':
      return 'minute';
    case 'H':
      return 'hour';
    case 'D':
      return 'day';
    case 'M':
      return 'month';
    case 'Y':
      return 'year';
    default:
      throw new Error(`not a benchmark bucket label: '${label}'`);
  }
}

/**
 * Adds `delta` to `key`, deleting the entry when it reaches zero (canonical maps hold no zeros).
 *
 * @example
 * ```ts
 * const m: Canonical = new Map();
 * addTo(m, 'k', 1); addTo(m, 'k', -1); // m is empty again
 * ```
 */
export function addTo(map: Canonical, key: string, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

/** One disagreement between two canonical maps. */
export interface CanonicalDifference {
  key: string;
  expected: number;
  actual: number;
}

/**
 * Every key whose value differs (a missing key counts as 0), sorted by key; empty when equal.
 *
 * @example
 * ```ts
 * const wrong = diffCanonical(computeOracle(items), await contender.readCanonical(client));
 * if (wrong.length > 0) console.log(`${wrong.length} aggregates differ, e.g.`, wrong[0]);
 * ```
 */
export function diffCanonical(expected: Canonical, actual: Canonical): CanonicalDifference[] {
  const out: CanonicalDifference[] = [];
  for (const [key, value] of expected) {
    const got = actual.get(key) ?? 0;
    if (got !== value) out.push({ key, expected: value, actual: got });
  }
  for (const [key, value] of actual) {
    if (!expected.has(key) && value !== 0) out.push({ key, expected: 0, actual: value });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
