import { count, defineRollup, last, max, sum } from 'dynotally';

/**
 * S0 — jobs per customer: "how many jobs did this customer place in the last 24 hours", to the minute.
 * Minutes are packed into hour rows, so a rolling 24 h is one Query of ≤ 25 rows.
 *
 * @example
 * ```ts
 * await query.total(jobsPerCustomer, { customerId: 'c-42' }, { last: '24h' });
 * ```
 */
export const jobsPerCustomer = defineRollup({
  name: 'jobs',
  match: { type: 'job' },
  groupBy: 'customerId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['minute', 'hour', 'day'],
  measures: { jobs: count() },
});

/**
 * S1 — file scans per project, monthly, for quotas (atomic ADD, never read-modify-write).
 *
 * @example
 * ```ts
 * const { values } = await query.total(scansPerProject, { projectId: 'p-1' }, { calendar: 'month' });
 * ```
 */
export const scansPerProject = defineRollup({
  name: 'scans',
  match: { type: 'scan' },
  groupBy: 'projectId',
  time: { attribute: 'scannedAt', format: 'iso8601' },
  timeZone: 'America/New_York',
  granularities: ['day', 'month'],
  measures: { scans: count(), bytes: sum('bytes') },
});

/**
 * S2 — restaurant favourites: INSERT +1, REMOVE −1; all-time and per month, ranked by a leaderboard.
 *
 * @example
 * ```ts
 * await query.top(favouritesPerRestaurant, { measure: 'favourites', bucket: 'all', limit: 10 });
 * ```
 */
export const favouritesPerRestaurant = defineRollup({
  name: 'favourites',
  match: { type: 'favourite' },
  groupBy: 'restaurantId',
  time: { attribute: 'createdAt', format: 'epoch-seconds' },
  timeZone: 'Asia/Kolkata',
  granularities: ['month', 'all'],
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['month', 'all'] },
});

/**
 * S3 — smart-meter energy: consumption per hour / day / month / year and instant power (the latest reading).
 * A re-sent identical reading is an identical re-write and changes nothing.
 *
 * @example
 * ```ts
 * await query.series(energyPerMeter, { deviceId: 'm-7' }, { granularity: 'hour', from, to });
 * await query.latest(energyPerMeter, { deviceId: 'm-7' });
 * ```
 */
export const energyPerMeter = defineRollup({
  name: 'energy',
  match: { type: 'reading' },
  groupBy: 'deviceId',
  time: { attribute: 'ts', format: 'epoch-seconds' },
  timeZone: 'Europe/London',
  granularities: ['hour', 'day', 'month', 'year', 'all'],
  measures: {
    wh: sum('wh', { granularities: ['hour', 'day', 'month', 'year'] }),
    power: last('watts', { granularities: ['all'] }),
    peak: max('watts', { granularities: ['day'] }),
  },
});

/**
 * S4 — e-commerce store metrics: OrderCount and ViewCount by day, month, year and total, days packed into
 * month rows.
 *
 * @example
 * ```ts
 * await query.total(storeMetrics, { storeId: 's-1' }, { lastDays: 30 });
 * ```
 */
export const storeMetrics = defineRollup(storeMetricsOptions());

/**
 * S4's definition as options, for definitions derived from it (the "change a rollup" demo adds a measure).
 *
 * @example
 * ```ts
 * const o = storeMetricsOptions();
 * defineRollup({ ...o, measures: { ...o.measures, revenue: sum('amount', { where: { type: 'order' } }) } });
 * ```
 */
export function storeMetricsOptions() {
  return {
    name: 'store',
    groupBy: 'storeId',
    time: { attribute: 'ts', format: 'epoch-millis' },
    timeZone: 'Europe/London',
    granularities: ['day', 'month', 'year', 'all'],
    measures: {
      orders: count({ where: { type: 'order' } }),
      views: count({ where: { type: 'view' } }),
    },
  } as const;
}

/** All five reference systems' rollups. */
export const referenceRollups = [
  jobsPerCustomer,
  scansPerProject,
  favouritesPerRestaurant,
  energyPerMeter,
  storeMetrics,
] as const;
