import type { QueryClient, ReadCost } from 'dynotally';

/**
 * What a panel builder reads with and adds its read cost to.
 *
 * @example
 * ```ts
 * const panel = await s2Panel(ctx); // ctx: PanelContext
 * ```
 */
export interface PanelContext {
  readonly query: QueryClient;
  /** The instant all windows are evaluated at. */
  readonly at: number;
  /** S3: the meter whose charts to show, and the meters to list. */
  readonly meter: string | undefined;
  readonly meters: readonly string[];
  /** S4: the store whose daily chart to show. */
  readonly store: string | undefined;
  /**
   * S4 once the "change a rollup" demo registered its versions: a serving query client, read by the rollup's
   * name (`'store'`) so it answers from the serving version.
   */
  readonly s4Serving?: QueryClient | undefined;
  /** S1: monthly scan quota per project. */
  readonly quotas: Readonly<Record<string, number>>;
  /** Adds a call's read cost to the state's total. */
  cost(c: ReadCost): void;
}

/**
 * A measure value as a number for charts and sorting (`null` → 0; decimal strings parsed).
 *
 * @example
 * ```ts
 * num('12.5'); // 12.5
 * ```
 */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/**
 * A measure value exactly as returned, as a string (`null` → `'0'` for sums and counts).
 *
 * @example
 * ```ts
 * raw(1234); // '1234'
 * ```
 */
export function raw(v: unknown): string {
  return v === null || v === undefined ? '0' : String(v);
}
