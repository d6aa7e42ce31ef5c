import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../../../../test/support/ddb.ts';
import { consumerHarness, FAR } from '../../../../test/worker/consumer-harness.ts';
import type { FakeStream } from '../../../../test/worker/fake-stream.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  workerTables,
  writeOps,
} from '../../../../test/worker/support.ts';
import { createStreamHandler, type StreamBatchEvent, type StreamBatchResponse } from '../handler/index.ts';
import { readStreamRecords } from '../streams/index.ts';
import { ShardConsumer } from './shard-consumer.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/**
 * A Lambda handler as a user may write one under ReportBatchItemFailures: the records one at a time through
 * dynotally's handler, stopping at the first that fails and naming it (the records before it are done). The record
 * `failOnce` fails its first attempt; `failedAt` is its index in that call's batch.
 */
function perRecordHandler(aggregates: string, failOnce?: string) {
  const inner = createStreamHandler({
    client: clients.ddb,
    rollups: [tallies],
    table: aggregates,
    logger: quietLogger(),
  });
  const out = {
    failedAt: -1,
    handler: async (event: StreamBatchEvent): Promise<StreamBatchResponse> => {
      for (const [i, r] of event.Records.entries()) {
        const seq = r.dynamodb?.SequenceNumber ?? '';
        if (seq === failOnce && out.failedAt === -1) {
          out.failedAt = i;
          return { batchItemFailures: [{ itemIdentifier: seq }] };
        }
        await inner({ ...event, Records: [r] });
      }
      return { batchItemFailures: [] };
    },
  };
  return out;
}

describe('a handler reporting a partial failure, then a crash', () => {
  it('the records from the failed one on are applied by the next owner: the aggregates equal the oracle', async () => {
    const t = await workerTables(clients.ddb, 'wk-partial');
    const ops = makeOps(47, 36, 14);
    await writeOps(clients.ddb, t.source, ops, 1);
    const records = (await readStreamRecords(clients.streams, t.streamArn)).flatMap((s) => s.records);
    const seqs = records.map((r) => r.dynamodb?.SequenceNumber ?? '');
    const last = seqs[seqs.length - 1];
    // the failed record is one that counts (an INSERT) in the middle of the first batch of ten
    const failedAt = records.findIndex((r, i) => i >= 5 && i < 9 && r.eventName === 'INSERT');
    expect(failedAt).toBeGreaterThan(0);
    const shardId =
      (await clients.streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn }))).StreamDescription
        ?.Shards?.[0]?.ShardId ?? '';
    const stream = { arn: t.streamArn, client: () => clients.streams } as unknown as FakeStream;
    const policy = { maxRetries: 3, bisectOnError: true, retryBaseMs: 600_000, retryMaxMs: 600_000 };

    // The first owner: the failed record's report checkpoints the records before it; the process dies during the
    // retry's backoff (abandoned there, nothing more checkpointed).
    let first: ShardConsumer | undefined;
    const failing = perRecordHandler(t.aggregates, seqs[failedAt]);
    const crashed = consumerHarness(stream, {
      handler: failing.handler,
      batchSize: 10,
      policy,
      onFailure: () => first?.markLost(),
    });
    first = new ShardConsumer(crashed.context, crashed.lease(shardId), FAR);
    expect(await first.run()).toBe('lost');
    expect(failing.failedAt).toBeGreaterThan(0); // a partial failure: records before it in its batch were done
    const checkpoint = crashed.checkpoints[crashed.checkpoints.length - 1];
    expect(await actualCells(clients.ddb, t.aggregates)).not.toEqual(expectedCells(ops));

    // The next owner reads after that checkpoint to the end of what was written.
    let next: ShardConsumer | undefined;
    const resumed = consumerHarness(stream, {
      handler: perRecordHandler(t.aggregates).handler,
      batchSize: 10,
      policy,
      onBatch: (_c, _rs: readonly DynamoDBRecord[], o) => {
        if (o.checkpointed?.dynamodb?.SequenceNumber === last) next?.requestStop('stop');
      },
    });
    next = new ShardConsumer(resumed.context, resumed.lease(shardId, checkpoint), FAR);
    expect(await next.run()).toBe('stopped');
    expect(resumed.checkpoints[resumed.checkpoints.length - 1]).toBe(last);
    expect(await actualCells(clients.ddb, t.aggregates)).toEqual(expectedCells(ops));
    expect(checkpoint).toBe(seqs[failedAt - 1]);
  }, 120_000);
});
