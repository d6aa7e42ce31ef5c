// A backfill segment is applied as a shard of its own (`bf-<segment>/<segments>`, records made by scanRecord): a
// crash between a chunk's rows and its progress write makes a resumed run apply the same records again, and the
// rows' exactly-once state for the segment is all that stops them. Unlike a stream shard, that redelivery has no
// 24 h bound: it comes whenever the backfill is resumed. Two things delete the state meanwhile:
// - the segment's `~wt#` item of transactional rows, with a TTL a week past its last write (d46696b);
// - the segment's per-row state, pruned by any sampled write once its hour is past the redelivery horizon (25 h).
// Found by the review. The applier alone cannot tell a late redelivery from a new record, so both cases still fail
// here (it.fails): runBackfill refuses to apply a chunk again past the horizon instead (late-resume.int).
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { scanRecord } from '../../packages/dynotally/src/backfill/decided-records.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const kinds = allTimeRollup('kinds', 'kind', false);
const T0 = 1_763_800_000; // the scan's time (s)
const source = 'backfill:kinds';
const segment = 'bf-0/1';

/** The chunk a backfill segment applies: `n` scanned items of kind 'k', as runBackfill folds them. */
const chunk = (n: number, timeSeconds: number, no = 0): DynamoDBRecord[] =>
  Array.from({ length: n }, (_, index) =>
    scanRecord(
      { id: { S: `i${no}-${index}` }, kind: { S: 'k' }, t: { N: '1763800000000' } },
      { source, chunk: no, index, timeSeconds },
    ),
  );

describe('a backfill chunk applied again after a late resume', () => {
  it.fails('transactional rows: the segment ~wt# item deleted by its TTL meanwhile', async () => {
    const table = uniqueTableName('bf-late-wt');
    await createAggregateTable(clients.ddb, table);
    const options = { stateBudgetBytes: 0, pruneSampleEvery: 1, write: { api: 'update-item' as const } };
    const applier = new Applier({ client: clients.ddb, table, rollups: [kinds], ...options });
    // the stream and the segment both write the row: with a budget of 0 it is marked and goes transactional
    await applier.apply({ records: [insertRecords()('s', { kind: { S: 'k' } })], shardId: 'shard-0' });
    await applier.apply({ records: chunk(3, T0), shardId: segment });
    await applier.apply({ records: chunk(3, T0, 1), shardId: segment }); // through the segment's ~wt# item
    await applier.apply({ records: chunk(3, T0, 1), shardId: segment }); // an immediate re-run: nothing
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '7' });
    // a week passes (the backfill was stopped after the crash), TTL deletes the segment's item
    const items = (await scanTable(clients.ddb, table)).filter((i) => i.pk?.S === `~wt#${segment}`);
    expect(items).toHaveLength(1);
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: items[0]!.pk!, sk: items[0]!.sk! } }),
    );
    // the resumed run applies the journaled chunk again (same claims, same sequence numbers)
    const resumed = new Applier({ client: clients.ddb, table, rollups: [kinds], ...options });
    await resumed.apply({ records: chunk(3, T0 + 8 * 86_400, 1), shardId: segment });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '7' });
  });

  it.fails('per-row: the segment state pruned by stream writes 26 h later', async () => {
    const table = uniqueTableName('bf-late-prune');
    await createAggregateTable(clients.ddb, table);
    const at = (s: number) => () => s * 1000;
    const write = { api: 'update-item' as const };
    const backfill = new Applier({ client: clients.ddb, table, rollups: [kinds], now: at(T0), write });
    await backfill.apply({ records: chunk(3, T0), shardId: segment });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '3' });
    // the stream writes the row 26 h later, every write sampled: the segment's state is past the horizon
    const later = T0 + 26 * 3600;
    const stream = new Applier({
      client: clients.ddb,
      table,
      rollups: [kinds],
      now: at(later),
      pruneSampleEvery: 1,
      write,
    });
    const insert = insertRecords();
    const streamRecord = (id: string) => {
      const r = insert(id, { kind: { S: 'k' } });
      if (r.dynamodb !== undefined) r.dynamodb.ApproximateCreationDateTime = later;
      return r;
    };
    await stream.apply({ records: [streamRecord('s1')], shardId: 'shard-0' });
    await stream.apply({ records: [streamRecord('s2')], shardId: 'shard-0' });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '5' });
    // the resumed backfill applies the journaled chunk again
    const resumed = new Applier({ client: clients.ddb, table, rollups: [kinds], now: at(later), write });
    await resumed.apply({ records: chunk(3, later), shardId: segment });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '5' });
  });
});
