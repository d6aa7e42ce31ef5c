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
    await new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [meters] }).apply({
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

  it('never returns a value past its retention, and reads only the rows that hold kept buckets', async () => {
    const table = uniqueTableName('query-latest-kept');
    await createAggregateTable(clients.ddb, table);
    const kept = (hour: string) =>
      defineRollup({
        name: 'meter',
        groupBy: 'deviceId',
        time: { attribute: 'ts', format: 'epoch-millis' },
        timeZone: 'Asia/Kathmandu',
        granularities: ['hour', 'day'],
        retention: { hour },
        measures: { readings: count(), power: last('watts', { granularities: ['hour'] }) },
      });
    const t0 = Date.UTC(2026, 10, 1, 10);
    const days = 12;
    const now = t0 + days * 86_400_000 + 3_600_000;
    const sim = simulate([
      reading('a', t0, 100),
      // a reading a day since, without watts: a day row each, kept forever
      ...Array.from({ length: days }, (_, i) => reading(`n${i}`, t0 + (i + 1) * 86_400_000)),
      // in the day row where the kept hours of a 3-day retention begin, but two hours before the first of them
      reading('x', now - 3 * 86_400_000 - 2 * 3_600_000, 300),
    ]);
    await new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [kept('400d')],
      now: () => now,
    }).apply({
      records: sim.records,
      shardId: 's-1',
    });
    const long = createQueryClient({ client: clients.ddb, table, rollups: [kept('400d')], now: () => now });
    expect((await long.latest('meter', { deviceId: 'm-1' })).values.power).toMatchObject({ value: 300 });
    // hours kept 3 days: both readings' hours ended more than 3 days ago, so neither is a value latest() may return
    // (their day rows live on, holding the expired hour cells; x's row is among those read)
    const short = createQueryClient({ client: clients.ddb, table, rollups: [kept('3d')], now: () => now });
    const r = await short.latest('meter', { deviceId: 'm-1' });
    expect(r.values.power).toBeNull();
    // the read starts at the day row holding the first hour still kept: 4 of the 13 day rows
    const [query] = short.explain.latest('meter', { deviceId: 'm-1' }).requests;
    expect(query?.input).toMatchObject({ KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to' });
    expect(r.readUnits).toBeLessThan(1);
  });
});
