/**
 * An instant: a `Date`, epoch milliseconds, or an ISO-8601 string with a zone (`Z` or `±HH:MM`).
 *
 * @example
 * ```ts
 * const a: Instant = Date.now();
 * const b: Instant = '2026-11-22T13:05:00Z';
 * ```
 */
export type Instant = Date | number | string;

/**
 * How an explicit `{ from, to }` window edge that is not on a stored bucket boundary is treated:
 * `exact` (default) rejects it with `WINDOW_NOT_SERVABLE`; `outward` widens the window to the enclosing
 * boundaries; `inward` narrows it; `nearest` moves each edge to the closer boundary (the earlier one on a tie).
 * Edges are rounded to the finest granularity still kept (retention) at that edge.
 *
 * @example
 * ```ts
 * const w: WindowSpec = { from: '2026-11-22T00:00:00Z', to: '2026-11-22T23:59:59.999Z', round: 'outward' };
 * ```
 */
export type Rounding = 'exact' | 'outward' | 'inward' | 'nearest';

/**
 * A calendar period of the rollup's time zone.
 *
 * @example
 * ```ts
 * const u: CalendarUnit = 'month';
 * ```
 */
export type CalendarUnit = 'day' | 'week' | 'month' | 'year';

/**
 * The time window of a `total`:
 *
 * - `{ last: '24h', at? }` — rolling: the duration ending at `at` (default now), rounded to the finest
 *   granularity kept at the window's start: the end goes up to the end of the bucket holding `at` (unless
 *   `at` is on a boundary), the start is the boundary nearest to `end − duration` (earlier on a tie).
 * - `{ from, to, round? }` — explicit half-open `[from, to)`; see {@link Rounding}.
 * - `{ calendar: 'month', offset?, at? }` — the whole day / ISO week / month / year of the rollup's zone
 *   holding `at` (offset 0, i.e. "this month so far": nothing later exists yet), or the one `offset`
 *   periods before (-1) or after.
 * - `{ lastDays: 30, at? }` (also `lastWeeks`, `lastMonths`, `lastYears`) — N whole periods ending with
 *   the current one: `lastDays: 30` is today and the 29 days before; `lastMonths: 3` is this month and
 *   the two before.
 * - `'all'` — all time (needs the `all` granularity).
 *
 * @example
 * ```ts
 * const windows: WindowSpec[] = [
 *   { last: '24h' },
 *   { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 22) },
 *   { calendar: 'month', offset: -1 },
 *   { lastDays: 30 },
 *   'all',
 * ];
 * ```
 */
export type WindowSpec =
  | { readonly last: string; readonly at?: Instant }
  | { readonly from: Instant; readonly to: Instant; readonly round?: Rounding }
  | { readonly calendar: CalendarUnit; readonly offset?: number; readonly at?: Instant }
  | { readonly lastDays: number; readonly at?: Instant }
  | { readonly lastWeeks: number; readonly at?: Instant }
  | { readonly lastMonths: number; readonly at?: Instant }
  | { readonly lastYears: number; readonly at?: Instant }
  | 'all';

/**
 * A window after resolution: the exact half-open interval read, and how it was derived from what was asked.
 *
 * @example
 * ```ts
 * // { kind: 'rolling', from: 1795302360000, to: 1795388760000, rounded: true, precision: 'minute', ... }
 * ```
 */
export interface ResolvedWindow {
  readonly kind: 'rolling' | 'explicit' | 'calendar' | 'all';
  /** Epoch ms, inclusive (`-Infinity` for all time). */
  readonly from: number;
  /** Epoch ms, exclusive (`Infinity` for all time). */
  readonly to: number;
  /** True when the edges differ from the instants asked for (rolling windows and `round` other than exact). */
  readonly rounded: boolean;
  /** The granularity the edges were rounded to, when they were. */
  readonly precision: string | undefined;
  /** The interval as asked, before rounding (rolling and explicit windows). */
  readonly requested: { readonly from: number; readonly to: number } | undefined;
  /** One line: what the window is, e.g. `last 24h to the minute`. */
  readonly description: string;
}
