// Issue 11 item 7: the dead-letter table accepts anything it is given — records with two 210 KB images,
// repeated and empty sequence numbers, missing fields — and a redelivered letter stays one letter (a replayed
// one stays replayed). Before, each of these failed the whole BatchWriteItem and blocked the batch.
import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import { deliver, Pipeline, type ShardStream } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const S = (s: string) => ({ S: s });
let pipeline: Pipeline;
let shard: ShardStream;
const blob = () => S(randomBytes(157_000).toString('base64')); // 210 KB, incompressible

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlsink');
  // a job with an unusable time: INSERT and MODIFY both poison, the MODIFY with two 210 KB images
  await pipeline.put({
    id: S('big'),
    type: S('job'),
    customerId: S('c-1'),
    createdAt: S('never'),
    blob: blob(),
  });
  await pipeline.update('big', { blob: blob(), createdAt: S('still never') });
  await pipeline.put({
    id: S('ok'),
    type: S('job'),
    customerId: S('c-1'),
    createdAt: { N: String(Date.now()) },
  });
  const shards = await pipeline.readStream();
  shard = shards[0] as ShardStream;
  expect(shard.records).toHaveLength(3);
});

describe('the dead-letter table accepts anything', () => {
  it('a poison record with two 210 KB images is stored whole; the batch is not blocked; redelivery keeps one letter', async () => {
    const dlq = await pipeline.newDeadLetterTable('dlq-big');
    const table = await pipeline.newAggregateTable('agg-big');
    const handler = pipeline.handler({ table, deadLetter: { table: dlq } });
    for (let round = 0; round < 2; round++)
      for (const res of await deliver(handler, shard, { batchSize: 10 }))
        expect(res.batchItemFailures).toEqual([]);
    const letters = await listDeadLetters({ client: clients.ddb, table: dlq });
    expect(letters.map((l) => l.sequenceNumber)).toEqual(
      shard.records.slice(0, 2).map((r) => r.dynamodb?.SequenceNumber),
    );
    expect(letters[1]?.record).toEqual(shard.records[1]);
    expect(letters.every((l) => l.code === 'VALUE_INVALID' && !l.truncated)).toBe(true);
  });

  it('repeated, empty and missing sequence numbers, no shard, no dynamodb: all stored, each once', async () => {
    const dlq = await pipeline.newDeadLetterTable('dlq-odd');
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const base = shard.records[2] as DynamoDBRecord;
    const other = { ...base, eventID: 'other' };
    const letter = (over: Partial<DeadLetter>): DeadLetter => ({
      source: pipeline.streamArn,
      shardId: shard.shardId,
      sequenceNumber: base.dynamodb?.SequenceNumber ?? '',
      eventId: base.eventID,
      code: 'VALUE_INVALID',
      reason: 'r',
      record: base,
      at: Date.now(),
      ...over,
    });
    const odd: DeadLetter[] = [
      letter({}),
      letter({}), // the same record twice in one send
      letter({ record: other }), // another record under the same sequence number
      letter({ sequenceNumber: '', record: { ...base, dynamodb: { ...base.dynamodb, SequenceNumber: '' } } }),
      letter({
        sequenceNumber: undefined as never,
        shardId: undefined,
        source: undefined as never,
        record: { eventName: 'INSERT' } as DynamoDBRecord,
      }),
      letter({ record: undefined, sequenceNumber: '' }),
    ];
    await sink.send(odd);
    await sink.send(odd); // redelivered
    const stored = await listDeadLetters({ client: clients.ddb, table: dlq });
    expect(stored).toHaveLength(5);
    expect(new Set(stored.map((l) => l.id)).size).toBe(5);
  });

  it('a replayed letter dead-lettered again stays replayed (never counted twice)', async () => {
    const dlq = await pipeline.newDeadLetterTable('dlq-again');
    const table = await pipeline.newAggregateTable('agg-again');
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const ok = shard.records[2] as DynamoDBRecord;
    const l: DeadLetter = {
      source: pipeline.streamArn,
      shardId: shard.shardId,
      sequenceNumber: ok.dynamodb?.SequenceNumber ?? '',
      eventId: ok.eventID,
      code: 'RETRIES_EXHAUSTED',
      reason: 'r',
      record: ok,
      at: Date.now(),
    };
    await sink.send([l]);
    const opts = { client: clients.ddb, deadLetterTable: dlq, table, rollups: referenceRollups, all: true };
    expect((await replayDeadLetters(opts)).map((r) => r.outcome)).toEqual(['replayed']);
    await sink.send([l]);
    expect(await replayDeadLetters(opts)).toEqual([]);
    const [stored] = await listDeadLetters({ client: clients.ddb, table: dlq });
    expect(stored?.replayedAt).toBeDefined();
  });

  it('commits the letters with the worker checkpoint: a lost lease stores nothing; an existing letter still lets it move', async () => {
    const dlq = await pipeline.newDeadLetterTable('dlq-tx');
    const leases = await pipeline.newAggregateTable('lease-tx');
    const key = { pk: { S: 'lease' }, sk: { S: 'shard' } };
    await clients.ddb.send(
      new PutItemCommand({ TableName: leases, Item: { ...key, owner: { S: 'me' }, cp: { N: '0' } } }),
    );
    const checkpoint = (owner: string) => ({
      Update: {
        TableName: leases,
        Key: key,
        UpdateExpression: 'ADD cp :one',
        ConditionExpression: '#o = :me',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':me': { S: owner }, ':one': { N: '1' } },
      },
    });
    const cp = async () =>
      (await clients.ddb.send(new GetItemCommand({ TableName: leases, Key: key, ConsistentRead: true }))).Item
        ?.cp?.N;
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const l = (seq: string): DeadLetter => ({
      source: pipeline.streamArn,
      shardId: shard.shardId,
      sequenceNumber: seq,
      eventId: undefined,
      code: 'RETRIES_EXHAUSTED',
      reason: 'r',
      record: shard.records[2],
      at: Date.now(),
    });
    await sink.send([l('1')], { alongside: checkpoint('me') });
    expect(await cp()).toBe('1');
    await sink.send([l('1')], { alongside: checkpoint('me') }); // stored already: the checkpoint still moves
    expect(await cp()).toBe('2');
    await expect(sink.send([l('2')], { alongside: checkpoint('someone-else') })).rejects.toMatchObject({
      code: 'LEASE_LOST',
    });
    expect(await cp()).toBe('2');
    expect((await listDeadLetters({ client: clients.ddb, table: dlq })).map((x) => x.sequenceNumber)).toEqual(
      ['1'],
    );
  });
});
