import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';

/** The fold benchmark's rollups: 3 rollups, 4 granularities each, 1,000 stores, Europe/London. */
export function foldBenchRollups() {
  const zone = 'Europe/London';
  const time = { attribute: 'ts', format: 'epoch-millis' } as const;
  return [
    defineRollup({
      name: 'store',
      groupBy: 'storeId',
      time,
      timeZone: zone,
      granularities: ['hour', 'day', 'month', 'all'],
      measures: { orders: count({ where: { type: 'order' } }), views: count({ where: { type: 'view' } }) },
    }),
    defineRollup({
      name: 'revenue',
      match: { type: 'order' },
      groupBy: 'storeId',
      time,
      timeZone: zone,
      granularities: ['day', 'month', 'year', 'all'],
      measures: { revenue: sum('amount'), orders: count() },
    }),
    defineRollup({
      name: 'storeType',
      groupBy: ['storeId', 'type'],
      time,
      timeZone: zone,
      granularities: ['minute', 'hour', 'day', 'month'],
      measures: { events: count() },
    }),
  ];
}
