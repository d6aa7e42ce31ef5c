// Review: unknown rows sent first as an UPDATE with if_not_exists on every attribute (the guess 'update') by a
// batch naming finished shards: the statement carries ttl (hour rows), a leaderboard (day rows) and one REMOVE
// clause per finished state, with duplicates and the own shard in the list. The store must take it as it is (no
// UpdateItem, no ValidationError, if_not_exists kept), the finished states go, the counts stay exact, and a
// redelivery through an applier that knows nothing counts nothing twice.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tallySent } from '../support/sent-tally.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const sent = tallySent(clients.ddb);

const rollup = defineRollup({
  name: 'gl',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'day'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['day'] },
});
const NOW = 1_763_800_060_000;
const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';

describe('guessed UPDATEs of unknown rows with finished shards, ttl and a leaderboard', () => {
  it('are accepted as written, drop the finished states, and count once', async () => {
    const table = uniqueTableName('guess-fin');
    await createAggregateTable(clients.ddb, table);
    const insert = insertRecords();
    const groups = (from: number, to: number): DynamoDBRecord[] =>
      Array.from({ length: to - from }, (_, i) =>
        insert(`x${from + i}-${Math.random()}`, { g: { S: `g${from + i}` } }),
      );
    const mk = () => new Applier({ client: clients.ddb, table, rollups: [rollup], now: () => NOW });
    await mk().apply({ records: groups(0, 10), shardId: 'shardId-a' });
    await mk().apply({ records: groups(0, 10), shardId: 'shardId-b' });
    const b = mk();
    // teach b that rows of both kinds are stored (its INSERTs are refused)
    await b.apply({ records: groups(0, 5), shardId: 'shardId-c' });
    sent.reset();
    const batch = groups(5, 10);
    const { report } = await b.apply({
      records: batch,
      shardId: 'shardId-c',
      finishedShards: ['shardId-a', 'shardId-b', 'shardId-a', 'shardId-c'],
    });
    const { updateItems, validation, duplicate, missing } = sent;
    expect({ updateItems, validation, duplicate, missing, rows: report.rowsWritten }).toEqual({
      updateItems: 0,
      validation: 0,
      duplicate: 0,
      missing: 0,
      rows: 5,
    });
    // a redelivery of the same records through an applier that knows nothing
    const { report: again } = await mk().apply({ records: batch, shardId: 'shardId-c' });
    expect(again.rowsWritten).toBe(0);
    const items = await scanTable(clients.ddb, table);
    const rows = items.filter((it) => it.n !== undefined && !it.pk?.S?.startsWith('lb'));
    const counts = Object.fromEntries(rows.map((it) => [`${it.pk?.S}|${it.sk?.S}`, Number(it.n?.N)]));
    // every group's day row: one record from each of shards a, b and c
    expect(Object.values(counts)).toEqual(Array(10).fill(3));
    expect(rows.length).toBe(10);
    const a = shardStateAttrs(STREAM, 'shardId-a');
    const bb = shardStateAttrs(STREAM, 'shardId-b');
    for (const it of rows) {
      const g = Number(/g(\d+)/.exec(it.pk?.S ?? '')?.[1]);
      const has = [a.attr, a.legacy, bb.attr, bb.legacy].filter((x) => it[x] !== undefined);
      expect({ g, has }).toEqual({ g, has: g >= 5 ? [] : [a.attr, bb.attr] });
    }
    expect(items.filter((it) => it.lbk !== undefined).length).toBe(10);
  });
});
