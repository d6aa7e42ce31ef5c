// latest(): last() values with their event times, from the ALL row by key or, for a last() kept only at a
// finer granularity, from the newest row that holds one.
import type { AttributeValue } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { type Op, simulate } from '../../../../test/support/stream-sim.ts';
import { Applier } from '../apply/index.ts';
import { count, defineRollup, last } from '../definition/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { createQueryClient } from './index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const meters = defineRollup({
  name: 'meter',
  groupBy: 'deviceId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Asia/Kathmandu',
  granularities: ['hour', 'day', 'all'],
  measures: {
    readings: count(),
    power: last('watts', { granularities: ['hour'] }), // packed in day rows: found by reading them newest first
    now: last('watts', { granularities: ['all'] }), // on the ALL row: read by key
  },
});

const reading = (key: string, ts: number, watts?: number): Op => ({
  kind: 'put',
  key,
  item: {
    deviceId: { S: 'm-1' },
    ts: { N: String(ts) },
    ...(watts === undefined ? {} : { watts: { N: String(watts) } as AttributeValue }),
  },
});

describe('latest()', () => {
  it('returns the last value by event time, skipping newer rows that hold none', async () => {
    const table = uniqueTableName('query-latest');
    await createAggregateTable(clients.ddb, table);
    const t0 = Date.UTC(2026, 10, 20, 10);
    const sim = simulate([
      reading('a', t0, 100),
      reading('b', t0 + 3_600_000, 250), // the latest reading with watts…
      reading('c', t0 - 86_400_000, 900), // older, arriving late
      reading('d', t0 + 3 * 86_400_000), // …newer days only counted (no watts)
      reading('e', t0 + 4 * 86_400_000),
    ]);
    await new Applier({ client: clients.ddb, table, rollups: [meters] }).apply({
      records: sim.records,
      shardId: 's-1',
    });
    const query = createQueryClient({ client: clients.ddb, table, rollups: [meters] });
    const r = await query.latest(meters, { deviceId: 'm-1' });
    expect(r.values.power).toMatchObject({ value: 250, time: t0 + 3_600_000, granularity: 'hour' });
    expect(r.values.now).toMatchObject({
      value: 250,
      time: t0 + 3_600_000,
      granularity: 'all',
      bucket: 'ALL',
    });
    expect(r.values.power?.iso).toBe('2026-11-20T16:45:00+05:45');
    expect(r.requests).toBeGreaterThanOrEqual(2);
    const none = await query.latest(meters, { deviceId: 'nobody' });
    expect(none.values).toEqual({ power: null, now: null });
    // @ts-expect-error 'readings' is a count, not a `last` measure
    await expect(query.latest(meters, { deviceId: 'm-1' }, { measures: ['readings'] })).rejects.toMatchObject(
      { code: 'QUERY_INVALID' },
    );
  });
});
