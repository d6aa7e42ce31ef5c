import type { QueryClient, WindowSpec } from 'dynotally';
import { parseGranularity } from 'dynotally/time';
import {
  CUSTOMERS,
  meterId,
  PROJECTS,
  RESTAURANTS,
  type ScenarioId,
  type SourceChange,
  STORES,
} from '../../scenarios/generators/index.ts';
import {
  energyPerMeter,
  favouritesPerRestaurant,
  jobsPerCustomer,
  scansPerProject,
  storeMetrics,
} from '../../scenarios/index.ts';
import type { FreshnessProbe } from './probe.ts';

const WATCHED = 5;
const DAY = parseGranularity('day');
const MONTH = parseGranularity('month');

/** ±1 for the group an insert adds to / a delete removes from; 0 for modifies that keep the group. */
function countEffect(attr: string) {
  return (c: SourceChange): ReadonlyArray<readonly [string, number]> => {
    if (c.kind === 'insert') return [[String(c.item[attr]), 1]];
    if (c.kind === 'delete') return [[String(c.previous[attr]), -1]];
    if (c.kind === 'modify' && c.previous[attr] !== c.item[attr]) {
      return [
        [String(c.previous[attr]), -1],
        [String(c.item[attr]), 1],
      ];
    }
    return [];
  };
}

function totalsReader(
  query: QueryClient,
  rollup: Parameters<QueryClient['totalMany']>[0],
  attr: string,
  window: WindowSpec,
  measures: readonly string[],
) {
  return async (groups: readonly string[]): Promise<ReadonlyMap<string, number>> => {
    const r = await query.totalMany(
      rollup,
      groups.map((g) => ({ [attr]: g })),
      window,
      { measures },
    );
    const out = new Map<string, number>();
    r.results.forEach((x, i) => {
      const values = x.values as Record<string, unknown>;
      out.set(
        groups[i] as string,
        measures.reduce((sum, m) => sum + Number(values[m] ?? 0), 0),
      );
    });
    return out;
  };
}

/**
 * The freshness probes of the five reference scenarios, each watching its five busiest groups:
 *
 * - S0: jobs per customer over a fixed window of whole days around `now` (−2 d … +3 d), so the rolling
 *   edge never moves the number; +1 per job, −1 per cancellation.
 * - S1: scans per project over whole months around `now` (New York); +1 / −1.
 * - S2: all-time favourites per restaurant; +1 / −1.
 * - S3: the event time of each meter's latest reading (`latest`): a reading is visible once it is the latest.
 * - S4: all-time orders + views per store; +1 / −1, and a re-attributed event moves 1 between stores. Once
 *   `s4Serving` gives a client (the change-a-rollup demo registered versions of `'store'`), through it by name, as
 *   the S4 panel reads: a plain query client refuses `storeMetrics` once version 2 serves.
 *
 * @example
 * ```ts
 * const tracker = new FreshnessTracker({ probes: referenceProbes(query, Date.now(), ['s0', 's2']) });
 * ```
 */
export function referenceProbes(
  query: QueryClient,
  now: number,
  ids: readonly ScenarioId[],
  s4Serving: () => QueryClient | undefined = () => undefined,
): FreshnessProbe[] {
  const days = jobsPerCustomer.compiled.calendar;
  let d = days.bucket(DAY, now);
  for (let i = 0; i < 2; i++) d = days.previous(d);
  let dEnd = days.bucket(DAY, now);
  for (let i = 0; i < 3; i++) dEnd = days.next(dEnd);
  const months = scansPerProject.compiled.calendar;
  const m = months.previous(months.bucket(MONTH, now));
  const mEnd = months.next(months.next(months.bucket(MONTH, now)));

  const all: Record<ScenarioId, FreshnessProbe> = {
    s0: {
      id: 's0',
      kind: 'value',
      groups: CUSTOMERS.slice(0, WATCHED),
      effect: countEffect('customerId'),
      read: totalsReader(query, jobsPerCustomer, 'customerId', { from: d.start, to: dEnd.start }, ['jobs']),
    },
    s1: {
      id: 's1',
      kind: 'value',
      groups: PROJECTS.slice(0, WATCHED).map((p) => p.id),
      effect: countEffect('projectId'),
      read: totalsReader(query, scansPerProject, 'projectId', { from: m.start, to: mEnd.start }, ['scans']),
    },
    s2: {
      id: 's2',
      kind: 'value',
      groups: RESTAURANTS.slice(0, WATCHED),
      effect: countEffect('restaurantId'),
      read: totalsReader(query, favouritesPerRestaurant, 'restaurantId', 'all', ['favourites']),
    },
    s3: {
      id: 's3',
      kind: 'time',
      groups: Array.from({ length: WATCHED }, (_, i) => meterId(i)),
      effect: (c) => (c.kind === 'insert' ? [[String(c.item.deviceId), Number(c.item.ts) * 1000]] : []),
      read: async (groups) => {
        const out = new Map<string, number>();
        await Promise.all(
          groups.map(async (deviceId) => {
            const r = await query.latest(energyPerMeter, { deviceId }, { measures: ['power'] });
            out.set(deviceId, r.values.power?.time ?? 0);
          }),
        );
        return out;
      },
    },
    s4: {
      id: 's4',
      kind: 'value',
      groups: STORES.slice(0, WATCHED),
      effect: countEffect('storeId'),
      read: (groups) => {
        const serving = s4Serving();
        return serving === undefined
          ? totalsReader(query, storeMetrics, 'storeId', 'all', ['orders', 'views'])(groups)
          : totalsReader(serving, 'store', 'storeId', 'all', ['orders', 'views'])(groups);
      },
    },
  };
  return ids.map((id) => all[id]);
}
