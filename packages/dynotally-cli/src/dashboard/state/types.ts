import type { ScenarioId, ScenarioRunStats } from '../../scenarios/generators/index.ts';
import type { FreshnessView } from '../freshness/freshness-tracker.ts';

/**
 * S0: jobs per customer in the last 24 h (to the minute), with a per-minute sparkline of the last hour.
 *
 * @example
 * ```ts
 * state.panels.s0?.customers[0]?.sparkline.length; // 60
 * ```
 */
export interface S0Panel {
  window: string;
  customers: { customerId: string; jobs: number; sparkline: number[] }[];
  /** ISO start of the sparkline's first minute. */
  sparkFrom: string;
}

/**
 * S1: scans this month (America/New_York) against each project's quota.
 *
 * @example
 * ```ts
 * state.panels.s1?.projects.filter((p) => p.percent >= 100); // over quota
 * ```
 */
export interface S1Panel {
  window: string;
  month: string;
  projects: { projectId: string; scans: number; bytes: number; quota: number; percent: number }[];
}

/**
 * S2: the top restaurants by favourites, all time and this month (Asia/Kolkata).
 *
 * @example
 * ```ts
 * state.panels.s2?.thisMonth[0]?.restaurantId;
 * ```
 */
export interface S2Panel {
  month: string;
  allTime: { rank: number; restaurantId: string; favourites: number }[];
  thisMonth: { rank: number; restaurantId: string; favourites: number }[];
}

/**
 * One point of a chart.
 *
 * @example
 * ```ts
 * const p: ChartPoint = { label: '13:00', value: 412.5, raw: '412.5' };
 * ```
 */
export interface ChartPoint {
  label: string;
  value: number;
  /** The exact value as the query client returned it (decimal sums may be strings). */
  raw: string;
}

/**
 * S3: one meter's energy by hour today, by day this month, by month this year; instant power of every meter.
 *
 * @example
 * ```ts
 * state.panels.s3?.power.find((m) => m.deviceId === 'meter-01')?.watts;
 * ```
 */
export interface S3Panel {
  meter: string;
  meters: string[];
  hourly: ChartPoint[];
  daily: ChartPoint[];
  monthly: ChartPoint[];
  /** Wh totals of the three windows, exact, as the query client returned them. */
  today: string;
  thisMonth: string;
  thisYear: string;
  power: { deviceId: string; watts: string | null; at: string | null }[];
}

/**
 * S4: orders and views per day over the last 30 days for one store, and 30-day totals of the busiest stores.
 * Once the "change a rollup" demo's version serves, `revenue` too (`measures` lists what the serving version
 * stores; `revenue` is the exact decimal as a number, `revenueRaw` the exact string).
 *
 * @example
 * ```ts
 * state.panels.s4?.days.map((d) => d.orders);
 * ```
 */
export interface S4Panel {
  window: string;
  store: string;
  /** The measures the serving version stores (`revenue` joins once the demo's version serves). */
  measures: string[];
  days: { label: string; orders: number; views: number; revenue?: number; revenueRaw?: string }[];
  stores: { storeId: string; orders: number; views: number; revenue?: number; revenueRaw?: string }[];
}

/**
 * Where the "change a rollup" demo is: `idle` → `registering` → `starting-stream` → `backfilling` → `ready` →
 * (`promoting`) → `serving`, or `failed`.
 *
 * @example
 * ```ts
 * const phase: ChangeRollupPhase = 'backfilling';
 * ```
 */
export type ChangeRollupPhase =
  | 'idle'
  | 'registering'
  | 'starting-stream'
  | 'backfilling'
  | 'ready'
  | 'promoting'
  | 'serving'
  | 'failed';

/**
 * The "change a rollup" demo as the dashboard shows it.
 *
 * @example
 * ```ts
 * state.changeRollup?.backfill?.scanned;
 * ```
 */
export interface ChangeRollupView {
  rollup: string;
  /** The measure the new version adds. */
  measure: string;
  phase: ChangeRollupPhase;
  /** The new version's number once registered. */
  version: number | null;
  /** Every version of the rollup from its control item (as `dynotally rollups status` shows them). */
  versions: { version: number; state: string; serving: boolean }[];
  /**
   * The backfill's progress: items this run scanned, those earlier runs of a resumed build had scanned, folded by the
   * scan, claimed first by the stream.
   */
  backfill: {
    scanned: number;
    scannedBefore: number;
    folded: number;
    claimedLive: number;
    estimatedItems: number;
    /** The items of the segments this run builds (all of them here), as the table's estimate gives them. */
    estimatedOwnItems: number;
    /**
     * `(scannedBefore + scanned) / estimatedOwnItems`, at most 1: the progress bar. `null` while the estimate is 0
     * (unknown: DynamoDB refreshes it about every six hours, so a fresh table's is 0), drawn as an indeterminate bar.
     */
    share: number | null;
    segmentsDone: number;
    segments: number;
    itemsPerSecond: number;
    etaMs: number;
  } | null;
  /** Stream records the new version's worker has read. */
  streamRecords: number | null;
  startedAt: number | null;
  readyAt: number | null;
  promotedAt: number | null;
  error: string | null;
}

/**
 * The panels of the dashboard, by scenario.
 *
 * @example
 * ```ts
 * const panels: Panels = { s2: await s2Panel(ctx) };
 * ```
 */
export interface Panels {
  s0?: S0Panel;
  s1?: S1Panel;
  s2?: S2Panel;
  s3?: S3Panel;
  s4?: S4Panel;
}

/**
 * What `/api/state` returns: every panel as read through the query client at one instant `at`, with
 * freshness, generator and worker status.
 *
 * @example
 * ```ts
 * const state: DashboardState = await (await fetch(`${url}/api/state`)).json();
 * state.panels.s2?.allTime[0]?.restaurantId;
 * ```
 */
export interface DashboardState {
  /** The instant every window was evaluated at (epoch ms). */
  at: number;
  atIso: string;
  scenarios: ScenarioId[];
  panels: Panels;
  freshness: Partial<Record<ScenarioId, FreshnessView>>;
  generators: { paused: boolean; scenarios: ScenarioRunStats[] } | null;
  worker: {
    /** Records read from the source table's stream (each worker reads every record; not summed over workers). */
    records: number;
    recordsPerSecond: number;
    iteratorAgeMs: number | null;
    idle: boolean;
    deadLettered: number;
    errors: number;
    /** Shard leases held, summed over workers (two workers on a one-shard stream hold 2). */
    leasesHeld: number;
    /** Distinct shards of the source table's stream that the workers read (`distinctShards`). */
    shards: number;
    /** Workers reading the stream in this process (2 when S4 runs apart). */
    workers: number;
  } | null;
  /** What building this state read: requests, items and read units (all panels). */
  reads: { requests: number; itemsRead: number; readUnits: number; ms: number };
  /** Panels that failed to read, with the error (the others are still shown). */
  errors: Partial<Record<ScenarioId, string>>;
  /** The "change a rollup" demo (null when the stack runs none). */
  changeRollup: ChangeRollupView | null;
}
