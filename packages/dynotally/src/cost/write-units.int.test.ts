// DynamoDB Local reports ConsumedCapacity by the service's own sizing code: compare with ours
// at the 1 KB boundary (exact sizes), and for updates, indexes and transactions.
import {
  type AttributeValue,
  type ConsumedCapacity,
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { AGGREGATE_TABLE, createAggregateTable } from '../tables/index.ts';
import { indexWriteUnits } from './index-write-units.ts';
import { type Item, itemSizeBytes } from './item-size.ts';
import { writeUnits } from './write-units.ts';

const { ddb, destroy } = testClients();
const table = uniqueTableName('cost');
const leaderboard = { keys: [AGGREGATE_TABLE.leaderboardPartitionKey, AGGREGATE_TABLE.leaderboardSortKey] };

beforeAll(async () => {
  await createAggregateTable(ddb, table);
});
afterAll(destroy);

const numberArb: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[1-9][0-9]{0,37}$/), fc.integer({ min: -12, max: 45 }))
  .map(([negative, digits, point]) => {
    let text: string;
    if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
    else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
    else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
    return negative ? `-${text}` : text;
  });

const nameArb = fc.string({ minLength: 1, maxLength: 6, unit: 'binary' });

const valueArb: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 12, unit: 'binary' }).map((S) => ({ S })),
    numberArb.map((N) => ({ N })),
    fc.boolean().map((BOOL) => ({ BOOL })),
    fc.constant({ NULL: true }),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((B) => ({ B })),
    fc
      .uniqueArray(fc.string({ minLength: 1, maxLength: 5, unit: 'binary' }), { minLength: 1, maxLength: 4 })
      .map((SS) => ({ SS })),
    fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 4 }).map((ns) => ({ NS: ns.map(String) })),
    fc.array(tie('value'), { maxLength: 4 }).map((L) => ({ L })),
    fc.dictionary(nameArb, tie('value'), { maxKeys: 4 }).map((M) => ({ M })),
  ),
})).value;

const shapeArb: fc.Arbitrary<Item> = fc
  .dictionary(
    nameArb.filter((n) => !['pk', 'sk', 'p', 'lbk', 'lbv'].includes(n)),
    valueArb,
    {
      minKeys: 1,
      maxKeys: 6,
    },
  )
  .filter((item) => itemSizeBytes(item) < 800);

let counter = 0;
/** `shape` plus keys and a padding string so that the item is exactly `bytes` bytes by our count. */
const padded = (shape: Item, bytes: number): Item => {
  counter += 1;
  const base: Item = { pk: { S: `size-${counter}` }, sk: { S: 'x' }, ...shape, p: { S: '' } };
  return { ...base, p: { S: 'x'.repeat(bytes - itemSizeBytes(base)) } };
};

const tableUnits = (c: ConsumedCapacity | undefined): number | undefined => c?.Table?.CapacityUnits;
const indexUnits = (c: ConsumedCapacity | undefined): number =>
  c?.GlobalSecondaryIndexes?.[AGGREGATE_TABLE.leaderboardIndex]?.CapacityUnits ?? 0;

const put = async (item: Item) =>
  (await ddb.send(new PutItemCommand({ TableName: table, Item: item, ReturnConsumedCapacity: 'INDEXES' })))
    .ConsumedCapacity;

describe('itemSizeBytes / writeUnits agree with DynamoDB Local ConsumedCapacity', () => {
  it('at the 1 KB boundary for random items (all types, nested, numbers of every shape)', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (shape) => {
        const at = padded(shape, 1024);
        const over = padded(shape, 1025);
        expect(tableUnits(await put(at))).toBe(writeUnits(undefined, at));
        expect(tableUnits(await put(over))).toBe(writeUnits(undefined, over));
        expect(writeUnits(undefined, at)).toBe(1);
        expect(writeUnits(undefined, over)).toBe(2);
      }),
      { seed: 20261122, numRuns: 120 },
    );
  });

  it('bills a replacing put and a delete on the larger item', async () => {
    const big = padded({}, 2600);
    const key = { pk: big.pk!, sk: big.sk! };
    await put(big);
    const small = { ...key, c: { N: '1' } };
    expect(tableUnits(await put(small))).toBe(writeUnits(big, small));
    expect(writeUnits(big, small)).toBe(3);
    const del = await ddb.send(
      new DeleteItemCommand({ TableName: table, Key: key, ReturnConsumedCapacity: 'INDEXES' }),
    );
    expect(tableUnits(del.ConsumedCapacity)).toBe(writeUnits(small, undefined));
    const delMissing = await ddb.send(
      new DeleteItemCommand({ TableName: table, Key: key, ReturnConsumedCapacity: 'INDEXES' }),
    );
    expect(tableUnits(delMissing.ConsumedCapacity)).toBe(writeUnits(undefined, undefined));
  });

  it('bills the leaderboard index: enter, key change, projected change, no change, leave', async () => {
    const key = { pk: { S: 'lb-row' }, sk: { S: 'ALL' } };
    const rank = (lbv: string | undefined, extra: Item = {}): Item => ({
      ...key,
      c: { N: '1' },
      ...extra,
      ...(lbv === undefined ? {} : { lbk: { S: 'fav#ALL' }, lbv: { N: lbv } }),
    });
    const steps: Item[] = [
      rank(undefined),
      rank('1'), // enters the index
      rank('2'), // key change: delete + put
      rank('2', { note: { S: 'x'.repeat(1500) } }), // projected change, bigger than 1 KB
      rank('2', { note: { S: 'x'.repeat(1500) } }), // nothing changes
      rank('3', { note: { S: 'x'.repeat(1500) } }), // key change on a big row
      rank(undefined), // leaves the index
    ];
    let before: Item | undefined;
    for (const after of steps) {
      const consumed = await put(after);
      expect(tableUnits(consumed), JSON.stringify(after).slice(0, 80)).toBe(writeUnits(before, after));
      expect(indexUnits(consumed), JSON.stringify(after).slice(0, 80)).toBe(
        indexWriteUnits(before, after, leaderboard),
      );
      before = after;
    }
  });

  it('doubles units inside TransactWriteItems, index writes included', async () => {
    const a = padded({}, 1500);
    const b = { pk: { S: 'tx-b' }, sk: { S: 'x' }, lbk: { S: 'fav#ALL' }, lbv: { N: '5' } };
    const out = await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: table, Item: a } }, { Put: { TableName: table, Item: b } }],
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    const consumed = out.ConsumedCapacity?.[0];
    const expectedTable =
      writeUnits(undefined, a, { transactional: true }) + writeUnits(undefined, b, { transactional: true });
    expect(tableUnits(consumed)).toBe(expectedTable);
    expect(indexUnits(consumed)).toBe(indexWriteUnits(undefined, b, leaderboard, { transactional: true }));
  });
});
