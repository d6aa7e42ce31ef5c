/**
 * A granularity a rollup can keep, as written in `defineRollup`: `second`, `minute`, `hour`, `day`, `week`,
 * `month`, `year`, `all`, or `Nm` for N dividing 60 (`2m` … `30m`; `1m` is `minute` and `60m` is `hour`).
 * A literal union, so a typo is a compile error; the run time checks the same set (`GRANULARITY_INVALID`).
 *
 * @example
 * ```ts
 * const kept: readonly Granularity[] = ['15m', 'hour', 'day', 'month', 'all'];
 * ```
 */
export type Granularity =
  | 'second'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'year'
  | 'all'
  | `${1 | 2 | 3 | 4 | 5 | 6 | 10 | 12 | 15 | 20 | 30 | 60}m`;
