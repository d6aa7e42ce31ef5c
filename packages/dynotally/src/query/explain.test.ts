// explain(): the exact requests, rows and attributes, without sending anything (the client points nowhere).
import { describe, expect, it } from 'vitest';
import { planningClient } from '../../../../test/support/planning-client.ts';
import {
  energyPerMeter,
  jobsPerCustomer,
  storeMetrics,
} from '../../../dynotally-cli/src/scenarios/rollups.ts';

const query = planningClient(
  [jobsPerCustomer, storeMetrics, energyPerMeter],
  Date.UTC(2026, 10, 22, 13, 5, 30),
);

describe('explain', () => {
  it('S0 rolling 24 h: one Query, BETWEEN the first and last hour row, projected, eventually consistent', () => {
    const e = query.explain.total(jobsPerCustomer, { customerId: 'c-42' }, { last: '24h' });
    expect(e.requests).toHaveLength(1);
    const input = e.requests[0]?.input as unknown as Record<string, unknown>;
    expect(e.requests[0]?.command).toBe('Query');
    expect(input).toMatchObject({
      TableName: 'aggregates',
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':pk': { S: 'jobs#sc-42' },
        ':first': { S: 'H2026-11-21T13:00' },
        ':last': { S: 'H2026-11-22T13:00' },
      },
      ConsistentRead: false,
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(String(input.ProjectionExpression).split(', ')).toHaveLength(2 + 61); // pk, sk, jobs, jobs_0…59
    expect(e.rows).toHaveLength(25);
    expect(e.rows[1]).toEqual({ pk: 'jobs#sc-42', sk: 'H2026-11-21T14:00', attributes: ['jobs'] });
    expect(e.window).toMatchObject({
      fromIso: '2026-11-21T13:06:00+00:00',
      toIso: '2026-11-22T13:06:00+00:00',
      zone: 'UTC',
    });
    expect(e.estimatedReadUnits).toBeGreaterThan(0);
    expect(
      query.explain.total(jobsPerCustomer, { customerId: 'c-42' }, { last: '24h' }, { consistent: true })
        .requests[0]?.input,
    ).toMatchObject({ ConsistentRead: true });
  });

  it('many groups whose window is one row each share BatchGetItems of at most 100 keys', () => {
    const groups = Array.from({ length: 250 }, (_, i) => ({ storeId: `s-${i}` }));
    const e = query.explain.totalMany(storeMetrics, groups, { calendar: 'month' });
    expect(e.requests.map((r) => r.command)).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
    const sizes = e.requests.map(
      (r) =>
        Object.values((r.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems)[0]
          ?.Keys.length,
    );
    expect(sizes).toEqual([100, 100, 50]);
    expect(e.rows).toHaveLength(250);
  });

  it('runs of several rows are one Query per group', () => {
    const e = query.explain.totalMany(storeMetrics, [{ storeId: 'a' }, { storeId: 'b' }], { lastDays: 30 });
    expect(e.requests.map((r) => r.command)).toEqual(['Query', 'Query']);
  });

  it('series, top and latest explain too', () => {
    const s = query.explain.series(
      energyPerMeter,
      { deviceId: 'm-7' },
      { granularity: 'hour', window: { calendar: 'day' } },
    );
    expect(s.requests).toHaveLength(1);
    expect(s.omitted.map((o) => o.measure)).toEqual(['power', 'peak']);
    const l = query.explain.latest(energyPerMeter, { deviceId: 'm-7' });
    expect(l.rows).toEqual([{ pk: 'energy#sm-7', sk: 'ALL', attributes: ['power', 'power_t'] }]);
  });
});
