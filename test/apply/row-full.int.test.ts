// A row one write away from DynamoDB's 400 KB item limit (in production: a hot row whose exactly-once state holds
// an entry for each of ~14,000 shards that wrote it within the redelivery horizon) cannot take a new shard's
// state. The records that reach it are ITEM_TOO_LARGE dead letters that leave no trace (their other rows are
// compensated exactly once), every other record is applied exactly once, and the shard goes on instead of
// retrying the refused write forever; redelivering the batch changes nothing.
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/item-size.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const byStore = defineRollup({
  name: 'stores',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const byKind = defineRollup({
  name: 'kinds',
  groupBy: 'kind',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const ITEM_LIMIT = 400 * 1024;

const next = insertRecords();
const insert = (id: string, g: string) => next(id, { g: { S: g }, kind: { S: 'k' } });

const counts = async (table: string) => {
  const out: Record<string, string> = {};
  for (const item of await scanTable(clients.ddb, table))
    if (item.n?.N !== undefined) out[item.pk?.S as string] = item.n.N;
  return out;
};

describe.each<WriteApi>(['partiql', 'update-item'])('a row at the 400 KB limit (%s)', (api) => {
  let table: string;
  const letters: DeadLetter[] = [];
  let applier: Applier;
  const first = [insert('a', 'hot'), insert('b', 'cold')];
  const second = [insert('c', 'cold'), insert('d', 'hot'), insert('e', 'cold')];

  beforeAll(async () => {
    table = uniqueTableName(`agg-full-${api}`);
    await createAggregateTable(clients.ddb, table);
    applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [byStore, byKind],
      write: { api },
      deadLetter: { send: async (l) => void letters.push(...l) },
    });
    await applier.apply({ records: first, shardId: 'shard-1' });
    // fill the hot row up to a few bytes below the limit: the next shard's state entry no longer fits
    const key = (await scanTable(clients.ddb, table)).find((r) => r.pk?.S === 'stores#shot');
    expect(key).toBeDefined();
    const Key = { pk: key?.pk as { S: string }, sk: key?.sk as { S: string } };
    const size = itemSizeBytes(key as never);
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key,
        UpdateExpression: 'SET filler = :f',
        ExpressionAttributeValues: { ':f': { S: 'x'.repeat(ITEM_LIMIT - size - 'filler'.length - 8) } },
      }),
    );
    const full = await clients.ddb.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
    expect(itemSizeBytes(full.Item as never)).toBeGreaterThan(ITEM_LIMIT - 16);
  });

  it('dead-letters the records that reach it, applies the rest once, and the shard goes on', async () => {
    const { poison } = await applier.apply({ records: second, shardId: 'shard-2' });
    expect(poison.map((p) => [p.sequenceNumber?.replace(/^0+/, ''), p.error.code])).toEqual([
      [second[1]?.dynamodb?.SequenceNumber, 'ITEM_TOO_LARGE'],
    ]);
    expect(letters.map((l) => [l.sequenceNumber, l.code])).toEqual([
      [second[1]?.dynamodb?.SequenceNumber, 'ITEM_TOO_LARGE'],
    ]);
    const expected = {
      'stores#shot': '1', // a, not d
      'stores#scold': '3',
      'kinds#sk': '4', // d's count in another rollup is taken back
    };
    expect(await counts(table)).toEqual(expected);
    // redelivered whole and in halves: nothing changes, the refused record is found again
    await applier.apply({ records: second, shardId: 'shard-2' });
    await applier.apply({ records: second.slice(0, 2), shardId: 'shard-2' });
    await applier.apply({ records: second.slice(1), shardId: 'shard-2' });
    expect(await counts(table)).toEqual(expected);
  });
});
