// Review: a cold-started applier whose guesses were taught by a mix of stored and new rows gets a redelivery of
// the shard's records cut differently, overlapping what was applied: every shape of first write (INSERT, UPDATE
// with if_not_exists on every attribute) must count each record once.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tallySent } from '../support/sent-tally.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());
const seen = tallySent(clients.ddb);

const rollup = defineRollup({
  name: 'gr',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const NOW = 1_763_800_060_000;

describe('redelivery to a cold applier with guesses', () => {
  it('counts every record once', async () => {
    const table = uniqueTableName('guess-redeliver');
    await createAggregateTable(clients.ddb, table);
    const insert = insertRecords();
    // 240 records over 60 groups: record i is of group i % 60
    const records: DynamoDBRecord[] = Array.from({ length: 240 }, (_, i) =>
      insert(`r${i}`, { g: { S: `g${i % 60}` } }),
    );
    const mk = () => new Applier({ client: clients.ddb, table, rollups: [rollup], now: () => NOW });
    // the first container applies records 0..149, then dies
    const a = mk();
    for (let from = 0; from < 150; from += 30)
      await a.apply({ records: records.slice(from, from + 30), shardId: 'shardId-1' });
    // a cold container: its guesses are taught by a mix of stored and new rows on another shard
    const b = mk();
    seen.reset();
    const other = Array.from({ length: 16 }, (_, i) =>
      insert(`o${i}`, { g: { S: i % 2 === 0 ? `g${i}` : `new${i}` } }),
    );
    await b.apply({ records: other, shardId: 'shardId-2' });
    // the shard's records redelivered from 100 (overlapping 100..149), in other cuts
    for (let from = 100; from < 240; from += 45)
      await b.apply({ records: records.slice(from, from + 45), shardId: 'shardId-1' });
    // both ways of sending an unknown row were used: INSERT (refused as a duplicate), and UPDATE with if_not_exists
    expect(seen.ifNotExists).toBeGreaterThan(0);
    expect(seen.duplicate).toBeGreaterThan(0);
    // and again from the start, through another cold container
    const c = mk();
    for (let from = 0; from < 240; from += 70)
      await c.apply({ records: records.slice(from, from + 70), shardId: 'shardId-1' });
    const counts = Object.fromEntries(
      (await scanTable(clients.ddb, table)).map((it) => [it.pk?.S?.split('#s')[1], Number(it.n?.N)]),
    );
    const expected: Record<string, number> = {};
    for (let g = 0; g < 60; g++) expected[`g${g}`] = 4 + (g < 16 && g % 2 === 0 ? 1 : 0);
    for (let i = 1; i < 16; i += 2) expected[`new${i}`] = 1;
    expect(counts).toEqual(expected);
  });
});
