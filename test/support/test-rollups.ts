// The same rollups declared twice: with the library, and in the oracle's independent terms.
import {
  count,
  defineRollup,
  last,
  max,
  min,
  sum,
  type TimeFormat,
} from '../../packages/dynotally/src/definition/index.ts';
import type { OracleRollup } from '../oracle/oracle.ts';

/** `format`: how their items' `t` is written (the oracle reads epoch milliseconds). */
export function testRollups(zone: string, format: TimeFormat = 'epoch-millis') {
  const a = defineRollup({
    name: 'a',
    groupBy: 'g',
    time: { attribute: 't', format },
    timeZone: zone,
    granularities: ['minute', '15m', 'hour', 'day', 'week', 'month', 'year', 'all'],
    measures: {
      n: count(),
      orders: count({ where: { type: 'order' } }),
      amt: sum('amount'),
      lo: min('amount', { granularities: ['hour', 'all'] }),
      hi: max('amount', { granularities: ['day'] }),
      latest: last('amount', { granularities: ['15m', 'all'] }),
    },
  });
  const b = defineRollup({
    name: 'b-2',
    groupBy: ['type', 'g'],
    time: { attribute: 't', format },
    timeZone: zone,
    granularities: ['second', 'day', 'month'],
    measures: { total: sum('amount'), views: count({ where: { type: 'view' }, storeAs: 'v' }) },
    ttlDeletes: 'ignore',
    leaderboard: { measure: 'total', granularities: ['month'], shards: 3 },
  });
  const c = defineRollup({
    name: 'c',
    match: { type: 'order' },
    groupBy: 'g',
    time: { attribute: 't', format },
    timeZone: zone,
    granularities: ['hour', 'day', 'year'],
    measures: { orders: count(), revenue: sum('amount') },
  });
  const oracleRollups: OracleRollup[] = [
    {
      name: 'a',
      groupBy: ['g'],
      timeAttr: 't',
      zone,
      granularities: ['minute', '15m', 'hour', 'day', 'week', 'month', 'year', 'all'],
      measures: [
        { name: 'n', kind: 'count' },
        { name: 'orders', kind: 'count', where: { type: 'order' } },
        { name: 'amt', kind: 'sum', attribute: 'amount' },
        { name: 'lo', kind: 'min', attribute: 'amount', granularities: ['hour', 'all'] },
        { name: 'hi', kind: 'max', attribute: 'amount', granularities: ['day'] },
        { name: 'latest', kind: 'last', attribute: 'amount', granularities: ['15m', 'all'] },
      ],
      ttlDeletes: 'subtract',
    },
    {
      name: 'b-2',
      groupBy: ['type', 'g'],
      timeAttr: 't',
      zone,
      granularities: ['second', 'day', 'month'],
      measures: [
        { name: 'total', kind: 'sum', attribute: 'amount' },
        { name: 'views', kind: 'count', where: { type: 'view' } },
      ],
      ttlDeletes: 'ignore',
    },
    {
      name: 'c',
      match: { type: 'order' },
      groupBy: ['g'],
      timeAttr: 't',
      zone,
      granularities: ['hour', 'day', 'year'],
      measures: [
        { name: 'orders', kind: 'count' },
        { name: 'revenue', kind: 'sum', attribute: 'amount' },
      ],
      ttlDeletes: 'subtract',
    },
  ];
  return { rollups: [a, b, c], compiled: [a.compiled, b.compiled, c.compiled], oracleRollups };
}
