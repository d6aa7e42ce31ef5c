import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { createSourceTable } from '../tables/index.ts';
import { readStreamRecords } from './read-stream.ts';

const { ddb, streams, destroy } = testClients();
afterAll(destroy);

describe('readStreamRecords', () => {
  it('returns writes, updates and deletes in order, in the Lambda record shape', async () => {
    const table = uniqueTableName('read-src');
    const streamArn = await createSourceTable(ddb, table, { pk: 'S', sk: 'S' });
    const startedAt = Math.floor(Date.now() / 1000);
    const key = { pk: { S: 'cust#1' }, sk: { S: 'job#1' } };

    await ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...key,
          status: { S: 'queued' },
          cost: { N: '1.50' },
          raw: { B: new Uint8Array([104, 105]) },
        },
      }),
    );
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #s = :s, tags = :t',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'done' }, ':t': { M: { a: { L: [{ N: '1' }] } } } },
      }),
    );
    await ddb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'cust#2' }, sk: { S: 'job#9' } } }),
    );
    await ddb.send(new DeleteItemCommand({ TableName: table, Key: key }));

    const shards = await readStreamRecords(streams, streamArn);
    const records = shards.flatMap((s) => s.records);
    expect(shards.length).toBeGreaterThanOrEqual(1);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'INSERT', 'REMOVE']);

    const sequence = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '-1'));
    expect([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sequence);

    for (const r of records) {
      expect(r.eventSource).toBe('aws:dynamodb');
      expect(r.eventSourceARN).toBe(streamArn);
      expect(typeof r.eventID).toBe('string');
      expect(typeof r.awsRegion).toBe('string');
      expect(r.dynamodb?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(r.dynamodb?.SizeBytes).toBeGreaterThan(0);
      const t = r.dynamodb?.ApproximateCreationDateTime ?? 0;
      expect(Number.isInteger(t)).toBe(true); // epoch seconds, not milliseconds or a Date
      expect(t).toBeGreaterThan(startedAt - 120); // DynamoDB Local rounds it down to the minute
      expect(t).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    }

    const [insert, modify, , remove] = records;
    expect(insert?.dynamodb?.Keys).toEqual(key);
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    expect(insert?.dynamodb?.NewImage).toEqual({
      ...key,
      status: { S: 'queued' },
      cost: { N: '1.5' }, // DynamoDB normalises numbers
      raw: { B: 'aGk=' }, // base64, as Lambda delivers binary
    });
    expect(modify?.dynamodb?.OldImage?.status).toEqual({ S: 'queued' });
    expect(modify?.dynamodb?.NewImage?.status).toEqual({ S: 'done' });
    expect(modify?.dynamodb?.NewImage?.tags).toEqual({ M: { a: { L: [{ N: '1' }] } } });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    expect(remove?.dynamodb?.OldImage?.status).toEqual({ S: 'done' });
    expect(remove?.userIdentity).toBeUndefined(); // a user delete, not a TTL delete

    // Small pages read the same records.
    const paged = (await readStreamRecords(streams, streamArn, { limit: 1 })).flatMap((s) => s.records);
    expect(paged.map((r) => r.eventID)).toEqual(records.map((r) => r.eventID));
  });

  it('returns the shards of a stream nobody wrote to, without records', async () => {
    const table = uniqueTableName('read-empty');
    const streamArn = await createSourceTable(ddb, table);
    const shards = await readStreamRecords(streams, streamArn);
    expect(shards.flatMap((s) => s.records)).toEqual([]);
    for (const s of shards) expect(s.shardId).toMatch(/^shardId-/);
  });

  it('writes nothing to the stream for a put or update that changes nothing', async () => {
    const table = uniqueTableName('read-noop');
    const streamArn = await createSourceTable(ddb, table);
    const item = { pk: { S: 'same' }, v: { N: '1' } };
    await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
    await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: item.pk },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '1' } },
      }),
    );
    const records = (await readStreamRecords(streams, streamArn)).flatMap((s) => s.records);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT']);
  });
});
