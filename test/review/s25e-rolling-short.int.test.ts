// Review s25e (query client): docs/query.md said "A rolling window shorter than one bucket of the finest granularity
// is rejected", but resolveWindow only rejects one whose start rounds (to the nearest boundary) onto its end, i.e.
// shorter than HALF a bucket. A rollup kept at hour and day (finest: hour), asked for { last: '45m' } at 13:20,
// answers [13:00, 14:00): a whole hour, 60 minutes of items for a 45-minute window, with `rounded: true`.
// Session 25: the code's rule is the one kept, and the doc now says it. A rolling window's start goes to the nearest
// boundary for every duration (90 minutes on an hourly rollup reads 1 or 2 hours alike), the result says it was
// rounded (`window.rounded`, `window.precision`), and a window that would round to no bucket at all (under half a
// bucket) is refused. This test pins both sides. Break-check: rejecting windows shorter than a whole bucket fails the
// 45-minute case.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 10, 22, 12);
const hourly = defineRollup({
  name: 'hourly',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['hour', 'day'],
  measures: { n: count() },
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isDynotallyError(e) ? e.code : String(e);
  }
  return 'resolved';
}

describe('review s25e: rolling windows shorter than one bucket of the finest granularity', () => {
  it('a 45-minute window on an hourly rollup is answered with its nearest hour, marked rounded; 29 minutes is refused', async () => {
    const table = uniqueTableName('s25e-short');
    await createAggregateTable(clients.ddb, table);
    const records: DynamoDBRecord[] = Array.from({ length: 120 }, (_, i) => ({
      eventID: `e${i}`,
      eventName: 'INSERT',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
      dynamodb: {
        SequenceNumber: String(i + 1).padStart(21, '0'),
        ApproximateCreationDateTime: T0 / 1000,
        NewImage: { id: { S: `i${i}` }, g: { S: 'x' }, ts: { N: String(T0 + i * 60_000) } },
      },
    }));
    const now = T0 + 3 * 3_600_000;
    const applier = new Applier({ client: clients.ddb, table, rollups: [hourly], now: () => now });
    expect((await applier.apply({ records, shardId: 'shardId-1' })).poison).toEqual([]);
    const query = createQueryClient({ client: clients.ddb, table, rollups: [hourly], now: () => now });
    const at = T0 + 80 * 60_000; // 13:20
    expect(await codeOf(query.total(hourly, { g: 'x' }, { last: '29m', at }))).toBe('WINDOW_NOT_SERVABLE');
    const r = await query.total(hourly, { g: 'x' }, { last: '45m', at });
    expect({ n: r.values.n, from: r.window.fromIso, to: r.window.toIso }).toEqual({
      n: 60,
      from: '2026-11-22T13:00:00+00:00',
      to: '2026-11-22T14:00:00+00:00',
    });
    expect(r.window.rounded).toBe(true);
    expect(r.window.precision).toBe('hour');
  });
});
