// Review s41e (dead letters, worker path): DynamoDB takes any attribute name, `__proto__` too, and a Lambda mapping
// delivers it (JSON.parse makes it an own property; the fold reads it as such: s40x). The stream worker reads records
// with the AWS SDK, whose deserializer keeps an attribute named `__proto__` as an own property *without its value*
// (@aws-sdk/core writeKey: `{ value: undefined }`, a guard against prototype pollution), at the top level and in
// nested maps. toLambdaImage then read `.S` of undefined, readStreamRecord marked the whole record unreadable, and the
// worker dead-lettered it `RECORD_MALFORMED` ("converting the record failed: Cannot read properties of undefined
// (reading 'S')") with its keys only: an item the Lambda handler counts was never counted by `dynotally worker`, even
// when no rollup reads the attribute (docs: "A malformed attribute that no rollup reads ... is ignored"), and its
// letter, without images, could never be replayed.
// Expected: the record converts; the attribute whose value the SDK withheld is kept, as an own property, as a value
// that is no DynamoDB JSON (`{}`), so a rollup that does not read it counts the item as Lambda does, and one that
// reads it dead-letters the record `VALUE_INVALID` naming the attribute (never a silent absence).
// Severity: medium (an item counted by Lambda, not by the worker; a letter that cannot be replayed).
// Fixed: streams/to-lambda-record.ts toLambdaImage defines every attribute as an own property and keeps a value the
// SDK withheld as `{}`.
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/index.ts';
import { readStreamRecord } from '../../packages/dynotally/src/streams/to-lambda-record.ts';
import { createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const byG = defineRollup({ name: 'byg', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const byProto = defineRollup({
  name: 'byproto',
  groupBy: '__proto__',
  granularities: ['all'],
  measures: { n: count() },
});

describe('an item with an attribute named __proto__, read by the stream worker (AWS SDK)', () => {
  it('is counted by a rollup that does not read the attribute; one that reads it refuses it as VALUE_INVALID', async () => {
    const table = uniqueTableName('s41e-proto');
    await createSourceTable(clients.ddb, table);
    await clients.ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: JSON.parse(
          '{"pk":{"S":"a"},"g":{"S":"x"},"__proto__":{"S":"p"},"m":{"M":{"__proto__":{"N":"5"},"k":{"S":"v"}}}}',
        ),
      }),
    );
    const arn = (await clients.ddb.send(new DescribeTableCommand({ TableName: table }))).Table
      ?.LatestStreamArn as string;
    const stream = await clients.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const shardId = stream.StreamDescription?.Shards?.[0]?.ShardId as string;
    const { ShardIterator } = await clients.streams.send(
      new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const page = await clients.streams.send(new GetRecordsCommand({ ShardIterator }));
    const record = readStreamRecord(page.Records?.[0] as never, arn);
    expect((record as { dynotallyUnreadable?: unknown }).dynotallyUnreadable).toBeUndefined();
    const image = record.dynamodb?.NewImage as Record<string, unknown>;
    expect(Object.keys(image).sort()).toEqual(['__proto__', 'g', 'm', 'pk']);
    expect(Object.getPrototypeOf(image)).toBe(Object.prototype);

    const counted = foldBatch([byG.compiled], [record], { shardId });
    expect(counted.poison).toEqual([]);
    expect(counted.coalescer.rowList().map((r) => r.pk)).toEqual([expect.stringContaining('byg#')]);

    const refused = foldBatch([byProto.compiled], [record], { shardId });
    expect(refused.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    expect(refused.poison[0]?.error.message).toContain('__proto__');
  });
});
