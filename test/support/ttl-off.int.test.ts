import { DescribeTimeToLiveCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/dead-letter-table.ts';
import { testClients, uniqueTableName } from './ddb.ts';
import { keepTimeToLive, timeToLiveKept } from './ttl-off.ts';

const { ddb, destroy } = testClients();
afterAll(destroy);

const ttlStatus = async (table: string) =>
  (await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription
    ?.TimeToLiveStatus;

const KEY = { pk: { S: 'letter' }, sk: { S: '1' } };
// expired before the fixed 2025 clocks of the tests
const putExpired = (table: string) =>
  ddb.send(new PutItemCommand({ TableName: table, Item: { ...KEY, ttl: { N: '1700000000' } } }));
const present = async (table: string) =>
  (await ddb.send(new GetItemCommand({ TableName: table, Key: KEY, ConsistentRead: true }))).Item !==
  undefined;

const SWEEP_WAIT_MS = 20_000;

// The setup file ttl-off.ts keeps DynamoDB Local's TTL sweep away from tests on a fixed clock.
describe('test/support/ttl-off.ts', () => {
  it('keeps an expired item that DynamoDB Local deletes from a table with TTL on', async () => {
    expect(timeToLiveKept()).toBe(false);
    const off = uniqueTableName('ttl-off');
    await createDeadLetterTable(ddb, off);
    expect(await ttlStatus(off)).toBe('DISABLED');

    keepTimeToLive();
    const on = uniqueTableName('ttl-on');
    await createDeadLetterTable(ddb, on);
    expect(await ttlStatus(on)).toBe('ENABLED');

    await putExpired(off);
    await putExpired(on);
    // Alone, DynamoDB Local swept the table with TTL on within 2 s; beside the whole suite (hundreds of tables in
    // one DynamoDB Local) not within 3 minutes. So the sweep is given a chance, not required: what the setup file
    // guarantees is the table without TTL above, and an expired item there stays whether or not a sweep ran.
    const deadline = Date.now() + SWEEP_WAIT_MS;
    while ((await present(on)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1_000));
    expect(await present(off), 'the item in the table whose TTL the setup file kept off').toBe(true);
  });
});
