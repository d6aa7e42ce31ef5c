// Review s39q (query client, read limits): reads that pass DynamoDB's answer limits.
// 1. A totalMany whose rows pass BatchGetItem's 16 MB answer: 60 groups, each an `all` row holding a `last` string
//    of 300 kB (18 MB together), read in one BatchGetItem of 60 keys: DynamoDB answers what fits in 16 MB and
//    returns the rest as UnprocessedKeys, which runBatchGet sends again (fetch.ts).
// 2. A rolling total whose day rows (hours packed in them, each hour's `last` string as large as the row bound
//    allows) pass a Query page's 1 MB: runQuery follows LastEvaluatedKey.
// Compared with what was written. No finding: every count and value came back, the answers split (2 BatchGetItem
// requests; several Query pages). Kept as coverage of both paths.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = Date.UTC(2026, 10, 22, 12);
const big = defineRollup({
  name: 'big',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), note: last('note') },
});
const GROUPS = 60;
const text = (i: number) => `${String(i).padStart(3, '0')}${'x'.repeat(300_000)}`;

describe('totalMany over rows larger than one BatchGetItem answer', () => {
  it('reads every row, the unprocessed keys sent again', async () => {
    const table = uniqueTableName('s39q-16mb');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ client: clients.ddb, table, rollups: [big], now: () => T });
    for (let i = 0; i < GROUPS; i++) {
      const record: DynamoDBRecord = {
        eventID: `e${i}`,
        eventName: 'INSERT',
        eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
        dynamodb: {
          SequenceNumber: String(i + 1).padStart(21, '0'),
          ApproximateCreationDateTime: T / 1000,
          NewImage: { id: { S: `i${i}` }, g: { S: `g${i}` }, ts: { N: String(T) }, note: { S: text(i) } },
        },
      };
      await applier.apply({ records: [record], shardId: 's-1' });
    }
    const query = createQueryClient({ client: clients.ddb, table, rollups: [big], now: () => T + 1000 });
    const groups = Array.from({ length: GROUPS }, (_, i) => ({ g: `g${i}` }));
    const r = await query.totalMany(big, groups, 'all');
    console.log(`totalMany of ${GROUPS} rows of 300 kB: ${r.requests} request(s), ${r.itemsRead} items`);
    expect(r.results.map((x) => x.values.n)).toEqual(groups.map(() => 1));
    expect(r.results.map((x) => (x.values.note as string).slice(0, 3))).toEqual(
      groups.map((_, i) => String(i).padStart(3, '0')),
    );
    expect(r.results.every((x) => (x.values.note as string).length === 300_003)).toBe(true);
  });

  it('reads every page of a Query over day rows past 1 MB', async () => {
    const hourly = defineRollup({
      name: 'bigh',
      groupBy: 'g',
      time: { attribute: 'ts', format: 'epoch-millis' },
      granularities: ['hour'],
      measures: { n: count(), note: last('note') },
    });
    const size = hourly.compiled.lastValueMaxBytes - 10;
    const table = uniqueTableName('s39q-1mb');
    await createAggregateTable(clients.ddb, table);
    let clock = T;
    // each record applied a second after its event (a record older than the stream's retention is refused)
    const applier = new Applier({ client: clients.ddb, table, rollups: [hourly], now: () => clock });
    const HOURS = 24 * 5;
    const start = Date.UTC(2026, 10, 17);
    for (let h = 0; h < HOURS; h++) {
      const ts = start + h * 3_600_000 + 60_000;
      clock = ts + 1000;
      await applier.apply({
        records: [
          {
            eventID: `h${h}`,
            eventName: 'INSERT',
            eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
            dynamodb: {
              SequenceNumber: String(h + 1).padStart(21, '0'),
              ApproximateCreationDateTime: ts / 1000,
              NewImage: {
                id: { S: `h${h}` },
                g: { S: 'a' },
                ts: { N: String(ts) },
                note: { S: `${String(h).padStart(3, '0')}${'y'.repeat(size - 3)}` },
              },
            },
          },
        ],
        shardId: 's-1',
      });
    }
    const query = createQueryClient({
      client: clients.ddb,
      table,
      rollups: [hourly],
      now: () => start + 6 * 86_400_000,
    });
    const r = await query.total(hourly, { g: 'a' }, { from: start, to: start + HOURS * 3_600_000 });
    console.log(
      `total over ${HOURS / 24} day rows of ~${Math.round((24 * size) / 1000)} kB: ${r.requests} request(s)`,
    );
    expect(r.values.n).toBe(HOURS);
    expect((r.values.note as string).slice(0, 3)).toBe(String(HOURS - 1).padStart(3, '0'));
    expect(r.requests).toBeGreaterThan(1);
  });
});
