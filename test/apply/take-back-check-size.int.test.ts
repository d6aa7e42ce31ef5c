// A take-back refused because the row is at DynamoDB's 400 KB limit (its marker no longer fits) is followed by a
// check of its condition alone, before the row is pinned as keeping the record. That check must not be refused for
// size itself: a row that stays refused for size is retried with the whole batch for ever, and the shard never
// moves on. The row's `updatedAt` was written by an earlier write; a number's size follows its significant digits
// (1763800000000 is 7 of them, 1763812345678 is 13), so setting `updatedAt` to another time can grow a full row by a
// few bytes. The check must leave the row's size as it is.
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compensationUpdateParams, conditionCheckParams } from '../../packages/dynotally/src/plan/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const SEQ = '100000000000000000000001';

describe('the check of a refused take-back on a row at the 400 KB limit', () => {
  it('is not refused for size: it leaves the row as large as it was', async () => {
    const table = uniqueTableName('check-size');
    await createAggregateTable(clients.ddb, table);
    const Key = { pk: { S: 'stores#shot' }, sk: { S: 'ALL' } };
    // the row holds the record (its watermark is past it) and has not given it back (no marker)
    const row = (filler: number): Record<string, AttributeValue> => ({
      ...Key,
      n: { N: '5' },
      updatedAt: { N: '1763800000000' },
      w_shard: { S: '200000000000000000000000' },
      filler: { S: 'x'.repeat(filler) },
    });
    // the largest row DynamoDB stores: any write that grows it is refused
    let lo = 400 * 1024 - 200;
    let hi = 400 * 1024;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      try {
        await clients.ddb.send(new PutItemCommand({ TableName: table, Item: row(mid) as never }));
        lo = mid;
      } catch (e) {
        if ((e as Error).name !== 'ValidationException') throw e;
        hi = mid - 1;
      }
    }
    await clients.ddb.send(new PutItemCommand({ TableName: table, Item: row(lo) as never }));

    const takeBack = compensationUpdateParams(
      table,
      {
        rollup: 'stores',
        pk: 'stores#shot',
        sk: 'ALL',
        adds: [['n', 1]],
        ttl: undefined,
        leaderboard: undefined,
        firstSeq: SEQ,
        lastSeq: SEQ,
        lastApproxMs: 0,
      },
      { now: 1_763_812_345_678, watermarkAttr: 'w_shard', sequence: SEQ, markerAttr: 'x_shard_marker' },
    );
    // the take-back itself is refused: its marker does not fit
    await expect(clients.ddb.send(new UpdateItemCommand(takeBack))).rejects.toThrow(/size/i);
    // its condition holds, and the check says so
    await expect(
      clients.ddb.send(new UpdateItemCommand(conditionCheckParams(takeBack))),
    ).resolves.toBeDefined();
    const after = await clients.ddb.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
    expect(after.Item?.n?.N).toBe('5');
    expect(after.Item?.x_shard_marker).toBeUndefined();
    // and where it does not hold (the marker set), the check fails its condition
    await clients.ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...row(10), x_shard_marker: { N: '1' } } as never,
      }),
    );
    await expect(clients.ddb.send(new UpdateItemCommand(conditionCheckParams(takeBack)))).rejects.toThrow(
      expect.objectContaining({ name: 'ConditionalCheckFailedException' }),
    );
  });
});
