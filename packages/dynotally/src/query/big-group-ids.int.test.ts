// Numeric group values round-trip exactly: two accounts whose ids differ only beyond 2^53 stay two groups,
// top() returns their ids exactly (bigint), and the returned group reads its own totals back. Before the fix
// both came back as 1234567890123456800.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { Applier } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { createQueryClient } from './index.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = Date.UTC(2026, 2, 1, 12);
const byAccount = defineRollup({
  name: 'acct',
  groupBy: 'accountId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
});
const byFn = defineRollup({
  name: 'acctFn',
  groupBy: (item) => ({ accountId: item.accountId as bigint | number }),
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
});

const ids = ['1234567890123456789', '1234567890123456788', '-98765432109876543210', '7', '0.1'];
const insert = (seq: number, id: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: T / 1000,
    NewImage: { id: { S: `i${seq}` }, accountId: { N: id }, ts: { N: String(T) } },
  },
});

describe('numeric group values beyond 2^53', () => {
  it('stay distinct groups and come back exactly from top(), total() and series()', async () => {
    const table = uniqueTableName('bigids');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [byAccount, byFn],
    });
    // account i gets i + 1 records, so the ranking is the reverse of `ids`
    const records: DynamoDBRecord[] = [];
    let seq = 1;
    ids.forEach((id, i) => {
      for (let k = 0; k <= i; k++) records.push(insert(seq++, id));
    });
    const { poison } = await applier.apply({ records, shardId: 's-1' });
    expect(poison).toEqual([]);
    const query = createQueryClient({ client: clients.ddb, table, rollups: [byAccount, byFn], now: () => T });
    const expected = [0.1, 7, -98765432109876543210n, 1234567890123456788n, 1234567890123456789n];
    for (const r of [byAccount, byFn]) {
      const top = await query.top(r, { limit: 10 });
      expect(top.entries.map((e) => e.groupValues[0])).toEqual(expected);
      expect(top.entries.map((e) => e.value)).toEqual([5, 4, 3, 2, 1]);
      for (const e of top.entries) {
        // the returned group is the query argument that reads that very group back
        const total = await query.total(r, { accountId: e.groupValues[0] } as never, {
          from: '2026-03-01T00:00:00Z',
          to: '2026-03-02T00:00:00Z',
        });
        expect(total.values.n, String(e.groupValues[0])).toBe(e.value);
      }
    }
    const day = await query.series(
      byAccount,
      { accountId: 1234567890123456789n },
      {
        granularity: 'day',
        from: '2026-03-01T00:00:00Z',
        to: '2026-03-02T00:00:00Z',
      },
    );
    expect(day.points.map((p) => p.values.n)).toEqual([1]);
  });

  it('refuses a plain number beyond 2^53 as a query group (it could name another group)', async () => {
    const query = createQueryClient({ client: clients.ddb, table: 'unused', rollups: [byAccount] });
    try {
      await query.total(byAccount, { accountId: 2 ** 60 }, { from: T, to: T + 1 });
      expect.unreachable();
    } catch (e) {
      expect(isDynotallyError(e, 'GROUP_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/bigint/);
    }
  });
});
