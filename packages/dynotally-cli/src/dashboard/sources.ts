import type { QueryClient, WorkerStats } from 'dynotally';
import type { ScenarioId, ScenarioRunStats } from '../scenarios/generators/index.ts';
import type { ChangeRollupView } from './state/types.ts';

/**
 * The generators as the dashboard controls them (a `ScenarioRunner` fits).
 *
 * @example
 * ```ts
 * const control: GeneratorControl = runner;
 * await control.pause();
 * ```
 */
export interface GeneratorControl {
  readonly paused: boolean;
  pause(): Promise<void>;
  resume(): void;
  setRate(rate: number, id?: ScenarioId): void;
  stats(): ScenarioRunStats[];
}

/**
 * The dev stack's "change a rollup" demo as the dashboard drives it (`POST /api/change-rollup`).
 *
 * @example
 * ```ts
 * const view = await control.start(); // view.phase: 'registering'
 * ```
 */
export interface ChangeRollupControl {
  /** Where the demo is: phase, versions, backfill progress. */
  view(): ChangeRollupView;
  /** Starts the demo (a second call returns the running demo's view). */
  start(): Promise<ChangeRollupView>;
  /** Promotes the new version once it is `ready` (rejects before). */
  promote(): Promise<ChangeRollupView>;
  /** S4's reads once the demo registered its versions: a serving query client (read `'store'` by name). */
  s4Reads(): QueryClient | undefined;
}

/**
 * Optional live status the dashboard shows besides the aggregates (which it reads only through the query
 * client).
 *
 * @example
 * ```ts
 * const sources: DashboardSources = { generators: runner, worker: () => worker.stats(), meters: () => ['meter-01'] };
 * ```
 */
export interface DashboardSources {
  generators?: GeneratorControl;
  worker?: () => WorkerStats;
  /** S3: the meters to list (default none). */
  meters?: () => string[];
  /** The "change a rollup" demo (dev stack with S4). */
  changeRollup?: ChangeRollupControl;
}
