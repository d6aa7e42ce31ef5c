import type { Num } from '../numbers/index.ts';

/**
 * One row's counter update in a plan: ADD the deltas (non-zero, sorted by attribute), keep TTL and
 * `updatedAt` fresh, and feed the leaderboard index when the row is ranked.
 *
 * @example
 * ```ts
 * plan.rows[0]; // { pk: 'store#sstore-1', sk: 'M2026-11', adds: [['orders', 3], ['orders_22', 3]], ... }
 * ```
 */
export interface RowWrite {
  readonly rollup: string;
  readonly pk: string;
  readonly sk: string;
  readonly adds: ReadonlyArray<readonly [string, Num]>;
  /** Epoch seconds, when the row kind has a finite retention. */
  readonly ttl: number | undefined;
  /** Leaderboard partition and delta, for ranked rows. */
  readonly leaderboard: { readonly key: string; readonly delta: Num } | undefined;
  readonly firstSeq: string;
  readonly lastSeq: string;
  readonly lastApproxMs: number;
}

/**
 * A min / max / last value: a conditional SET that only wins when it beats the stored value, so it is
 * idempotent and safe under concurrency and out-of-order arrival.
 *
 * @example
 * ```ts
 * plan.extrema[0]; // { pk: 'meter#sm-1', sk: 'ALL', attr: 'power', op: 'last', value: 230, time: 1763800000000 }
 * ```
 */
export interface ExtremumWrite {
  readonly rollup: string;
  readonly pk: string;
  readonly sk: string;
  readonly attr: string;
  readonly op: 'min' | 'max' | 'last';
  readonly value: Num | string | boolean;
  readonly time: number;
  readonly ttl: number | undefined;
}

/**
 * The pure write plan for a batch.
 *
 * @example
 * ```ts
 * const plan = planWrites(coalescer, { now: Date.now() });
 * console.table(plan.rows.map((r) => ({ pk: r.pk, sk: r.sk, attrs: r.adds.length })));
 * ```
 */
export interface WritePlan {
  readonly rows: RowWrite[];
  readonly extrema: ExtremumWrite[];
  /** Rows dropped because their bucket is already past its retention (never resurrected). */
  readonly expired: number;
  /** Rows whose deltas summed to zero. */
  readonly cancelled: number;
}
