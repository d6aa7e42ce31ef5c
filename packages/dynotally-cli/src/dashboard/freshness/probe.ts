import type { ScenarioId, SourceChange } from '../../scenarios/generators/index.ts';

/**
 * How freshness is observed for one scenario, through the query client only:
 *
 * - `value`: a per-group number whose change by each write is known exactly (`effect`), e.g. S2's
 *   all-time favourites (+1 on a favourite, −1 on an un-favourite). A write is visible once the number read
 *   equals the value expected after it.
 * - `time`: a per-group event time that only grows (S3's latest reading). A write is visible once the time
 *   read reaches the write's event time.
 *
 * @example
 * ```ts
 * const probe: FreshnessProbe = { id: 's2', kind: 'value', groups: ['dosa-palace'], effect: (c) => [[c.group, 1]], read: async () => new Map() };
 * ```
 */
export interface FreshnessProbe {
  readonly id: ScenarioId;
  readonly kind: 'value' | 'time';
  /** The groups watched (the busiest ones, so samples come often). */
  readonly groups: readonly string[];
  /**
   * `value` probes: the change a write makes to each group's number, as `[group, delta]` (zero deltas may
   * be omitted). `time` probes: `[group, eventTimeMs]` of the write.
   */
  effect(change: SourceChange): ReadonlyArray<readonly [string, number]>;
  /** Reads the current number (or latest event time, ms) of each group; a missing group reads as 0. */
  read(groups: readonly string[]): Promise<ReadonlyMap<string, number>>;
}
