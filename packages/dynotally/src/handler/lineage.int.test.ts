import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { FakeStream } from '../../../../test/worker/fake-stream.ts';
import { Applier, type ApplyInput, type WriteSide } from '../apply/index.ts';
import { shardStateAttrs } from '../apply/shard-state.ts';
import { count, defineRollup } from '../definition/index.ts';
import { localClientConfig, localStreamsClientConfig } from '../local/index.ts';
import { readStreamRecords } from '../streams/read-stream.ts';
import { createAggregateTable, createSourceTable } from '../tables/index.ts';
import { createStreamHandler, LAMBDA_ANCESTOR_WAIT_MS, type LineageOptions } from './index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// Every record lands on one hot row (group 'x', all-time): the row every shard writes.
const hot = defineRollup({
  name: 'hot',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const ROW = { pk: { S: 'hot#sx' }, sk: { S: 'ALL' } };

let seq = 10n ** 24n;
let ids = 0;
function records(streamArn: string, n = 1): DynamoDBRecord[] {
  return Array.from({ length: n }, () => {
    seq += 7n;
    const id = `i${ids++}`;
    return {
      eventID: id,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      awsRegion: 'eu-west-1',
      eventVersion: '1.1',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: { id: { S: id } },
        NewImage: { id: { S: id }, g: { S: 'x' }, t: { N: String(Date.now()) } },
        SequenceNumber: seq.toString(),
        SizeBytes: 60,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    } as DynamoDBRecord;
  });
}

/** A real Applier on DynamoDB Local that also remembers what each batch named as finished. */
function recording(table: string): WriteSide & { named: Map<string, Array<readonly string[] | undefined>> } {
  const applier = new Applier({ client: clients.ddb, table, rollups: [hot] });
  const named = new Map<string, Array<readonly string[] | undefined>>();
  return {
    named,
    rollups: applier.rollups,
    apply(input: ApplyInput) {
      const list = named.get(input.shardId ?? '') ?? [];
      list.push(input.finishedShards);
      named.set(input.shardId ?? '', list);
      return applier.apply(input);
    },
  };
}

const quiet = () => {
  const warnings: string[] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} } };
};

async function row(table: string): Promise<Record<string, AttributeValue>> {
  const { Item } = await clients.ddb.send(
    new GetItemCommand({ TableName: table, Key: ROW, ConsistentRead: true }),
  );
  return Item ?? {};
}

const holds = (item: Record<string, AttributeValue>, streamArn: string, shardId: string) =>
  shardStateAttrs(streamArn, shardId).attr in item;

/** P → C1 → G and P → C2 (a split), X → Y (another partition); P, C1 and X closed. */
function lineageStream(): FakeStream {
  const stream = new FakeStream();
  for (const [id, parent] of [['P'], ['C1', 'P'], ['C2', 'P'], ['G', 'C1'], ['X'], ['Y', 'X']] as const)
    stream.addShard(id, parent);
  for (const id of ['P', 'C1', 'X']) stream.close(id);
  return stream;
}

describe('the Lambda handler learns its shard lineage from DescribeStream', () => {
  it("names exactly the shard's closed ancestors, and only once the container has seen the shard for the wait", async () => {
    const table = uniqueTableName('lineage-agg');
    await createAggregateTable(clients.ddb, table);
    const stream = lineageStream();
    const side = recording(table);
    let clock = 1_000_000;
    const lineage: LineageOptions = { streams: stream.client(), now: () => clock };
    const handler = createStreamHandler({ applier: side, lineage, logger: quiet().logger });
    const batch = async (shardId: string) => {
      const res = await handler({ Records: records(stream.arn), shardId });
      expect(res.batchItemFailures).toEqual([]);
    };
    // first sightings: every shard writes the hot row, nothing is named, the stream is not even described
    for (const s of ['P', 'C1', 'C2', 'X', 'Y', 'G']) await batch(s);
    expect(stream.describeCalls).toBe(0);
    const before = await row(table);
    for (const s of ['P', 'C1', 'C2', 'X', 'Y', 'G']) expect(holds(before, stream.arn, s), s).toBe(true);

    clock += LAMBDA_ANCESTOR_WAIT_MS - 1;
    await batch('G');
    expect(stream.describeCalls).toBe(0);
    expect(holds(await row(table), stream.arn, 'P')).toBe(true);

    clock += 1; // the wait is over for every shard seen at the start
    await batch('G');
    await batch('Y');
    await batch('C2');
    expect(side.named.get('G')).toEqual([undefined, undefined, ['C1', 'P']]);
    expect(side.named.get('Y')).toEqual([undefined, ['X']]);
    expect(side.named.get('C2')).toEqual([undefined, ['P']]);
    // one description (3 pages of 2 shards) served all three
    expect(stream.describeCalls).toBe(3);
    const after = await row(table);
    for (const s of ['P', 'C1', 'X']) expect(holds(after, stream.arn, s), `${s} dropped`).toBe(false);
    // the writers' own states, a sibling's and another partition's shard stay
    for (const s of ['G', 'Y', 'C2']) expect(holds(after, stream.arn, s), `${s} kept`).toBe(true);
    expect(after.n?.N).toBe('10'); // every record once

    // a cold container starts the clock again
    const cold = recording(table);
    const coldHandler = createStreamHandler({
      applier: cold,
      lineage: { ...lineage },
      logger: quiet().logger,
    });
    await coldHandler({ Records: records(stream.arn), shardId: 'G' });
    clock += LAMBDA_ANCESTOR_WAIT_MS;
    await coldHandler({ Records: records(stream.arn), shardId: 'G' });
    expect(cold.named.get('G')).toEqual([undefined, ['C1', 'P']]);
  });

  it("a zombie write of the parent during the child's first 15 minutes changes nothing; afterwards the state goes", async () => {
    const table = uniqueTableName('lineage-zombie');
    await createAggregateTable(clients.ddb, table);
    const stream = new FakeStream();
    stream.addShard('P');
    stream.addShard('C', 'P');
    stream.close('P');
    let clock = 0;
    const lambda = createStreamHandler({
      applier: recording(table),
      lineage: { streams: stream.client(), now: () => clock },
      logger: quiet().logger,
    });
    // an invocation of P that Lambda gave up on while it still ran: its writes land late, from another container
    const zombie = createStreamHandler({ applier: recording(table), lineage: false, logger: quiet().logger });
    const parentBatch = records(stream.arn, 2);
    await lambda({ Records: parentBatch, shardId: 'P' });
    clock = 1_000;
    await lambda({ Records: records(stream.arn), shardId: 'C' }); // the child's first invocation
    clock += LAMBDA_ANCESTOR_WAIT_MS - 1;
    await lambda({ Records: records(stream.arn), shardId: 'C' });
    await zombie({ Records: parentBatch, shardId: 'P' }); // the late write meets P's state
    expect((await row(table)).n?.N).toBe('4');
    clock += 1;
    await lambda({ Records: records(stream.arn), shardId: 'C' });
    const after = await row(table);
    expect(holds(after, stream.arn, 'P')).toBe(false);
    expect(after.n?.N).toBe('5'); // every record exactly once
  });

  it('describes again for a shard it has not seen described, at most once per refreshAfterMs', async () => {
    const table = uniqueTableName('lineage-refresh');
    await createAggregateTable(clients.ddb, table);
    const stream = lineageStream();
    const side = recording(table);
    let clock = 0;
    const handler = createStreamHandler({
      applier: side,
      lineage: {
        streams: stream.client(),
        now: () => clock,
        pruneAncestorsAfterMs: 0,
        refreshAfterMs: 60_000,
      },
      logger: quiet().logger,
    });
    await handler({ Records: records(stream.arn), shardId: 'G' });
    expect(stream.describeCalls).toBe(3);
    // Y rolls over to Z
    stream.close('Y');
    stream.addShard('Z', 'Y');
    clock = 1_000;
    await handler({ Records: records(stream.arn), shardId: 'Z' });
    expect(stream.describeCalls).toBe(3); // too soon: names nothing rather than call again
    clock = 61_000;
    await handler({ Records: records(stream.arn), shardId: 'Z' });
    await handler({ Records: records(stream.arn), shardId: 'G' });
    expect(stream.describeCalls).toBe(7); // 7 shards: 4 pages
    expect(side.named.get('Z')).toEqual([undefined, ['Y', 'X']]);
    expect(side.named.get('G')).toEqual([
      ['C1', 'P'],
      ['C1', 'P'],
    ]);
  });

  it('an event that names its finished shards (the stream worker) is not looked up', async () => {
    const table = uniqueTableName('lineage-given');
    await createAggregateTable(clients.ddb, table);
    const stream = lineageStream();
    const side = recording(table);
    const handler = createStreamHandler({
      applier: side,
      lineage: { streams: stream.client(), pruneAncestorsAfterMs: 0 },
      logger: quiet().logger,
    });
    await handler({ Records: records(stream.arn), shardId: 'G', finishedShards: ['C1'] });
    expect(side.named.get('G')).toEqual([['C1']]);
    expect(stream.describeCalls).toBe(0);
  });

  it("reads DynamoDB Local's real stream description: its one shard has no parent, so nothing is named", async () => {
    const source = uniqueTableName('lineage-src');
    const table = uniqueTableName('lineage-local');
    const [streamArn] = await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, table),
    ]);
    for (const id of ['a', 'b', 'c'])
      await clients.ddb.send(
        new PutItemCommand({
          TableName: source,
          Item: { id: { S: id }, g: { S: 'x' }, t: { N: String(Date.now()) } },
        }),
      );
    const shards = await readStreamRecords(clients.streams, streamArn);
    const read = shards.flatMap((s) => s.records.map((r) => ({ shardId: s.shardId, r })));
    expect(read).toHaveLength(3);
    let describes = 0;
    clients.streams.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeStreamCommand') describes++;
        return next(args);
      },
      { step: 'initialize', name: 'countDescribes' },
    );
    try {
      const side = recording(table);
      const { warnings, logger } = quiet();
      const handler = createStreamHandler({
        applier: side,
        lineage: { streams: clients.streams, pruneAncestorsAfterMs: 0 },
        logger,
      });
      for (const { shardId, r } of read) await handler({ Records: [r], shardId });
      expect(warnings).toEqual([]);
      expect(describes).toBe(1); // cached: the shard is listed
      expect([...side.named.values()].flat()).toEqual([undefined, undefined, undefined]);
      expect((await row(table)).n?.N).toBe('3');

      // the built-in applier with its own Streams client, made from clientConfig: it reaches the same stream
      const own = uniqueTableName('lineage-own');
      await createAggregateTable(clients.ddb, own);
      const second = quiet();
      const builtIn = createStreamHandler({
        rollups: [hot],
        table: own,
        clientConfig: localClientConfig(await ddbReady()),
        lineage: { pruneAncestorsAfterMs: 0 },
        logger: second.logger,
      });
      for (const { shardId, r } of read) await builtIn({ Records: [r], shardId });
      expect(second.warnings).toEqual([]);
      expect(describes).toBe(1); // its own client, not the counted one
      const { Item } = await clients.ddb.send(
        new GetItemCommand({ TableName: own, Key: ROW, ConsistentRead: true }),
      );
      expect(Item?.n?.N).toBe('3');
    } finally {
      clients.streams.middlewareStack.remove('countDescribes');
    }
  });

  it('a stream it cannot describe is logged once and every batch still applies', async () => {
    const table = uniqueTableName('lineage-down');
    await createAggregateTable(clients.ddb, table);
    // nothing listens on port 1: every DescribeStream fails at once
    const streams = new DynamoDBStreamsClient({
      ...localStreamsClientConfig('http://127.0.0.1:1'),
      maxAttempts: 1,
    });
    try {
      const side = recording(table);
      const { warnings, logger } = quiet();
      let clock = 0;
      const handler = createStreamHandler({
        applier: side,
        lineage: { streams, now: () => clock, pruneAncestorsAfterMs: 0, refreshAfterMs: 1_000 },
        logger,
      });
      const arn = 'arn:aws:dynamodb:eu-west-1:000000000000:table/down/stream/2026-01-01T00:00:00.000';
      for (let i = 0; i < 3; i++) {
        clock += 5_000; // every batch may ask again
        const res = await handler({ Records: records(arn, 2), shardId: 'shardId-down' });
        expect(res.batchItemFailures).toEqual([]);
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/DescribeStream/);
      expect(side.named.get('shardId-down')).toEqual([undefined, undefined, undefined]);
      expect((await row(table)).n?.N).toBe('6');
    } finally {
      streams.destroy();
    }
  });

  it('a stream it cannot describe is asked again less and less often: the wait doubles up to 16 times refreshAfterMs', async () => {
    // a function that cannot reach DynamoDB Streams (a VPC without a route) paid a batch's connect timeouts at every
    // refreshAfterMs, for good (noticed by review s39h)
    const table = uniqueTableName('lineage-backoff');
    await createAggregateTable(clients.ddb, table);
    const streams = new DynamoDBStreamsClient({
      ...localStreamsClientConfig('http://127.0.0.1:1'),
      maxAttempts: 1,
    });
    const asked: number[] = [];
    let clock = 0;
    streams.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeStreamCommand') asked.push(clock);
        return next(args);
      },
      { step: 'initialize', name: 'countDescribes' },
    );
    try {
      const handler = createStreamHandler({
        applier: recording(table),
        lineage: { streams, now: () => clock, pruneAncestorsAfterMs: 0, refreshAfterMs: 1_000 },
        logger: quiet().logger,
      });
      const arn = 'arn:aws:dynamodb:eu-west-1:000000000000:table/down/stream/2026-01-01T00:00:00.000';
      for (; clock <= 60_000; clock += 500)
        await handler({ Records: records(arn, 1), shardId: 'shardId-down' });
      // asked at 0, then after 2, 4, 8, 16 and 16 s… (each wait from the last ask): 0, 2, 6, 14, 30, 46
      expect(asked).toEqual([0, 2_000, 6_000, 14_000, 30_000, 46_000]);
    } finally {
      streams.destroy();
    }
  });
});
