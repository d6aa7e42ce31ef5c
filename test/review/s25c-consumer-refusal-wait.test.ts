// Review s25c (stream worker, 911fbc5): what a shard consumer does while it waits out a ResourceNotFoundException of a
// shard its stream still lists (iteratorOf / shardGone re-ask a second later, for up to streamGoneAfterMs).
//
// 1. A LATEST lease's first open. openStart records `latestFrom` in the lease, then asks GetShardIterator(LATEST).
//    Before 911fbc5 a refusal finished the shard; now the consumer waits and asks LATEST again, a second (or minutes)
//    later, and its position is then the tip at that later moment: records written between `latestFrom` and the
//    open that succeeds are never read by this consumer, and when it gives the lease up, its pin (findLatestPin:
//    everything before the first record its LATEST iterator returned is history) checkpoints past them, so no worker
//    ever counts them. The contract (worker.md, Starting position) is that nothing written after `latestFrom` is
//    skipped: that is what the crash path (resume from TRIM_HORIZON by `latestFrom`) guarantees.
//    Observed: the order written during the wait is never handed to the handler (the one written after is).
//    Expected (plain `it`): both are (e.g. a refused LATEST open continues from TRIM_HORIZON by `latestFrom`).
//    Severity: loss of what is written while the first open of a LATEST lease is refused (seconds to 5 minutes).
//
// 2. stop() / a fair-share hand-over while the consumer waits in iteratorOf: the wait returns, the next refusal is
//    rethrown (`if (this.aborted()) throw e`), and run() reports 'failed' with an error-level log ("shard consumer
//    failed; the lease is given up") and an error counted, not 'stopped' / 'released'; a clean shutdown of a worker
//    with one refused shard logs an error.
//    Observed: run() resolves 'failed', an error is logged.
//    Expected (plain `it`): 'stopped', no error logged.
//    Severity: low (misleading error log and counters; the lease is released all the same).
//
// Fixed on rev-c: a LATEST open refused first reads from TRIM_HORIZON by latestFrom (as after a crash: the records from
// over a minute before it skipped); run() takes a refusal rethrown because the consumer is stopping (or its lease
// ran out) as the stop it is ('stopped' / 'released' / 'expired'). Break-check: without either change its test fails.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import type { StreamBatchEvent } from '../../packages/dynotally/src/handler/index.ts';
import { ShardConsumer } from '../../packages/dynotally/src/worker/shard-consumer.ts';
import { consumerHarness, FAR } from '../worker/consumer-harness.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import { makeOps, type Op } from '../worker/support.ts';

const notFound = () =>
  Object.assign(new Error('Requested resource not found: Shard does not exist'), {
    name: 'ResourceNotFoundException',
  });

const put = (id: string): Op => ({
  kind: 'put',
  item: { id: { S: id }, g: { S: 'g1' }, t: { N: String(Date.now()) }, amount: { N: '1' } },
});
const until = async (check: () => boolean, ms = 5_000) => {
  for (let i = 0; i < ms / 10 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};
const handled = (events: StreamBatchEvent[]) =>
  events.flatMap((e) => e.Records.map((r) => r.dynamodb?.Keys?.id?.S));

describe('s25c: a shard consumer waiting out a refusal', () => {
  it('a LATEST lease whose first open is refused misses nothing written after latestFrom', async () => {
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    stream.addShard('s1');
    for (const op of makeOps(1, 2, 2, 'history')) stream.append('s1', op, new Date(Date.now() - 120_000));
    const during = put('during');
    const after = put('after');
    let refused = false;
    const inner = stream.client();
    const streams = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        if (command.constructor.name === 'GetShardIteratorCommand' && !refused) {
          refused = true; // the first open (LATEST, after latestFrom was recorded) is refused
          setTimeout(() => stream.append('s1', during), 100); // written while the consumer waits
          throw notFound();
        }
        return inner.send(command as never);
      },
    } as unknown as DynamoDBStreamsClient;
    const h = consumerHarness(stream, { streams });
    const consumer = new ShardConsumer(h.context, h.lease('s1', undefined, 'LATEST'), FAR);
    const running = consumer.run();
    await until(() => consumer.progress().caughtUp);
    stream.append('s1', after);
    await until(() => handled(h.events).includes('after'));
    consumer.requestStop('stop');
    expect(await running).toBe('stopped');
    expect(refused).toBe(true);
    expect(handled(h.events)).toEqual(['during', 'after']);
  });

  it('stop() while it waits stops it cleanly', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    const streams = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetShardIteratorCommand') throw notFound(); // listed, refused throughout
        return stream.client().send(command as never);
      },
    } as unknown as DynamoDBStreamsClient;
    const h = consumerHarness(stream, { streams });
    const consumer = new ShardConsumer(h.context, h.lease('s1'), FAR);
    const running = consumer.run();
    await new Promise((r) => setTimeout(r, 300)); // waiting out its first refusal
    consumer.requestStop('stop');
    const exit = await running;
    expect(h.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(exit).toBe('stopped');
  });
});
