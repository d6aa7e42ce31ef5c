import type { WorkerStats } from 'dynotally';
import type { ScenarioId, ScenarioRunStats } from '../scenarios/generators/index.ts';

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
}
