import { DynotallyError } from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';
import { s0Jobs } from './s0-jobs.ts';
import { s1Scans } from './s1-scans.ts';
import { s2Favourites } from './s2-favourites.ts';
import { s3Meters } from './s3-meters.ts';
import { s4Store } from './s4-store.ts';
import type { ScenarioId, ScenarioInfo } from './types.ts';

/**
 * The five reference systems, S0–S4, in order.
 *
 * @example
 * ```ts
 * SCENARIOS.map((s) => `${s.id} ${s.title}`);
 * ```
 */
export const SCENARIOS: readonly ScenarioInfo[] = [s0Jobs, s1Scans, s2Favourites, s3Meters, s4Store];

/**
 * The scenario with id `id` (`s0`…`s4`, case-insensitive).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for an unknown id, listing the known ones.
 * @example
 * ```ts
 * scenario('S2').title; // 'Restaurant favourites'
 * ```
 */
export function scenario(id: string): ScenarioInfo {
  const found = SCENARIOS.find((s) => s.id === id.trim().toLowerCase());
  if (found === undefined) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `unknown scenario '${shownText(id)}': use one of ${SCENARIOS.map((s) => s.id).join(', ')} (see 'dynotally scenario list')`,
      { details: { scenario: shownDetail(id) } },
    );
  }
  return found;
}

/**
 * Parses a comma-separated scenario list (`'s0,s4'`, or `'all'`) into ids, in catalogue order.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for an unknown id or an empty list.
 * @example
 * ```ts
 * parseScenarioList('s4,s0'); // ['s0', 's4']
 * ```
 */
export function parseScenarioList(list: string): ScenarioId[] {
  if (list.trim().toLowerCase() === 'all') return SCENARIOS.map((s) => s.id);
  const wanted = new Set(
    list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => scenario(s).id),
  );
  if (wanted.size === 0) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      "the scenario list is empty: give ids such as 's0,s4' or 'all'",
    );
  }
  return SCENARIOS.map((s) => s.id).filter((id) => wanted.has(id));
}
