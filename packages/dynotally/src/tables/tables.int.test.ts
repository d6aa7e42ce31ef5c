import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { keepTimeToLive } from '../../../../test/support/ttl-off.ts';
import { type DynotallyError, isDynotallyError } from '../errors/index.ts';
import { aggregateTableSpec, createAggregateTable } from './aggregate-table.ts';
import { createDeadLetterTable } from './dead-letter-table.ts';
import { describeTable } from './describe-table.ts';
import { ensureTables } from './ensure-tables.ts';
import { createLeaseTable } from './lease-table.ts';

// this file tests time to live itself: its requests reach DynamoDB Local
keepTimeToLive();
const { ddb, destroy } = testClients();
afterAll(destroy);

const ttlOf = async (client: DynamoDBClient, table: string) =>
  (await client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;

const mismatch = async (run: () => Promise<unknown>): Promise<DynotallyError> => {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDynotallyError(err, 'TABLE_SCHEMA_MISMATCH'), String(err)).toBe(true);
  return err as DynotallyError;
};

describe('createAggregateTable', () => {
  it('creates the table with the leaderboard index and TTL, and is idempotent', async () => {
    const name = uniqueTableName('agg');
    const first = await createAggregateTable(ddb, name);
    const second = await createAggregateTable(ddb, name);
    expect(second.TableArn).toBe(first.TableArn);
    expect(second.TableStatus).toBe('ACTIVE');
    expect(second.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const lb = second.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'leaderboard');
    expect(lb?.KeySchema).toEqual([
      { AttributeName: 'lbk', KeyType: 'HASH' },
      { AttributeName: 'lbv', KeyType: 'RANGE' },
    ]);
    expect(lb?.Projection?.ProjectionType).toBe('ALL');
    expect(second.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
    expect(await ttlOf(ddb, name)).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('survives concurrent provisioning of the same table', async () => {
    const name = uniqueTableName('agg-race');
    const results = await Promise.all([createAggregateTable(ddb, name), createAggregateTable(ddb, name)]);
    expect(results[0].TableArn).toBe(results[1].TableArn);
  });

  it('rejects a table with another key schema, listing expected vs found', async () => {
    const name = uniqueTableName('agg-keys');
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const err = await mismatch(() => createAggregateTable(ddb, name));
    expect(err.message).toContain('expected pk (S, HASH), sk (S, RANGE); found id (S, HASH)');
    expect(err.details).toMatchObject({
      table: name,
      expected: { keySchema: 'pk (S, HASH), sk (S, RANGE)', indexes: ['leaderboard'] },
      found: { keySchema: 'id (S, HASH)', indexes: [] },
    });
  });

  it('rejects a table without the leaderboard index', async () => {
    const name = uniqueTableName('agg-nolb');
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    const err = await mismatch(() => createAggregateTable(ddb, name));
    expect(err.details.differences).toEqual([
      'index leaderboard: expected a global secondary index; found none',
    ]);
  });

  it('rejects a table whose TTL is on another attribute', async () => {
    const name = uniqueTableName('agg-ttl');
    await ddb.send(new CreateTableCommand(aggregateTableSpec(name)));
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
      }),
    );
    const err = await mismatch(() => createAggregateTable(ddb, name));
    expect(err.details).toMatchObject({ expected: { ttl: 'ttl' }, found: { ttl: 'expires' } });
  });
});

describe('createDeadLetterTable / createLeaseTable / ensureTables', () => {
  it('creates the dead-letter table with TTL, idempotently', async () => {
    const name = uniqueTableName('dlq');
    await createDeadLetterTable(ddb, name);
    const table = await createDeadLetterTable(ddb, name);
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(await ttlOf(ddb, name)).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('creates the lease table with pk only, idempotently, and rejects a lease table with a sort key', async () => {
    const name = uniqueTableName('leases');
    await createLeaseTable(ddb, name);
    const table = await createLeaseTable(ddb, name);
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);

    const dlqName = uniqueTableName('not-leases');
    await createDeadLetterTable(ddb, dlqName);
    await mismatch(() => createLeaseTable(ddb, dlqName));
  });

  it('ensureTables provisions all three, twice', async () => {
    const names = {
      aggregate: uniqueTableName('e-agg'),
      deadLetter: uniqueTableName('e-dlq'),
      leases: uniqueTableName('e-leases'),
    };
    await ensureTables(ddb, names);
    await ensureTables(ddb, names);
    for (const name of Object.values(names))
      expect((await describeTable(ddb, name))?.TableStatus).toBe('ACTIVE');
  });
});
