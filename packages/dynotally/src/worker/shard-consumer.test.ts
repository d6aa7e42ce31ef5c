import { describe, expect, it } from 'vitest';
import { FAR, consumerHarness as harness } from '../../../../test/worker/consumer-harness.ts';
import { FakeStream } from '../../../../test/worker/fake-stream.ts';
import { makeOps } from '../../../../test/worker/support.ts';
import type { StreamBatchEvent } from '../handler/index.ts';
import { SHARD_END, type ShardLease } from './lease.ts';
import { type ConsumerContext, ShardConsumer } from './shard-consumer.ts';

const seqs = (e: StreamBatchEvent) => e.Records.map((r) => r.dynamodb?.SequenceNumber);
/** Waits for `check` up to 30 s of wall time (400 rounds of 5 ms were 2 s only on an idle machine). */
const until = async (check: () => boolean) => {
  const end = performance.now() + 30_000;
  while (!check() && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('ShardConsumer', () => {
  it('reads a closed shard to its end in batches, checkpointing each, then records SHARD_END', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(1, 25, 25)) stream.append('s1', op);
    stream.close('s1');
    stream.pageLimit = 10; // pages of 10 (as 1 MB cuts pages of large records): the second poll finds its iterator expired
    const h = harness(stream);
    expect(await new ShardConsumer(h.context, h.lease('s1'), FAR).run()).toBe('ended');
    expect(h.events.map((e) => e.Records.length)).toEqual([10, 10, 5]);
    expect(h.events.every((e) => e.shardId === 's1' && e.eventSourceARN === stream.arn)).toBe(true);
    expect(h.events.flatMap(seqs)).toHaveLength(new Set(h.events.flatMap(seqs)).size); // the expired iterator re-opened after the last record read
    expect(stream.expiredIterators).toBe(1);
    expect(h.checkpoints).toEqual([...h.events.map((e) => seqs(e).pop()), SHARD_END]);
    expect(h.released).toEqual([]); // SHARD_END releases in the same write
  });

  it('names the finished ancestors to batches only from the given time on', async () => {
    const run = async (from: number) => {
      const stream = new FakeStream();
      stream.addShard('s1');
      for (const op of makeOps(1, 12, 12)) stream.append('s1', op);
      stream.close('s1');
      const h = harness(stream);
      await new ShardConsumer(h.context, h.lease('s1'), FAR, { shards: ['s0', 's-1'], from }).run();
      return h.events.map((e) => e.finishedShards);
    };
    expect(await run(0)).toEqual([
      ['s0', 's-1'],
      ['s0', 's-1'],
    ]);
    // a lease lost on an ancestor may leave a write in flight: until `from`, its state stays on the rows
    expect(await run(FAR)).toEqual([undefined, undefined]);
  });

  it('tells every batch when its lease ends, as renewed at the time of the call', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(1, 12, 12)) stream.append('s1', op);
    stream.close('s1');
    const h = harness(stream, {
      onBatch: (c) => {
        c.expiresAt += 1_000; // a renewal between the two batches
      },
    });
    expect(await new ShardConsumer(h.context, h.lease('s1'), FAR).run()).toBe('ended');
    expect(h.events.map((e) => e.leaseExpiresAt)).toEqual([FAR, FAR + 1_000]);
  });

  it('fills batches within the batching window and leaves a partial batch unprocessed when stopped', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    stream.expireSecondPoll = false;
    for (const op of makeOps(2, 25, 25)) stream.append('s1', op);
    const h = harness(stream, { batchWindowMs: 3_600_000 });
    const consumer = new ShardConsumer(h.context, h.lease('s1'), FAR);
    const running = consumer.run();
    await until(() => h.events.length === 2 && consumer.progress().state === 'reading');
    await new Promise((r) => setTimeout(r, 50));
    consumer.requestStop('stop');
    expect(await running).toBe('stopped');
    expect(h.events.map((e) => e.Records.length)).toEqual([10, 10]); // the last 5 wait for the window
    expect(h.checkpoints).toEqual(h.events.map((e) => seqs(e).pop()));
    expect(h.released).toEqual(['s1']);
  });

  it('resumes after its checkpoint; a checkpoint the stream has trimmed continues at TRIM_HORIZON with a warning', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    stream.expireSecondPoll = false;
    for (const op of makeOps(3, 30, 30)) stream.append('s1', op);
    stream.close('s1');
    const all = await (async () => {
      const h = harness(stream);
      await new ShardConsumer(h.context, h.lease('s1'), FAR).run();
      return h.events.flatMap(seqs);
    })();
    const resumed = harness(stream);
    await new ShardConsumer(resumed.context, resumed.lease('s1', all[11]), FAR).run();
    expect(resumed.events.flatMap(seqs)).toEqual(all.slice(12));

    stream.trim('s1', 20);
    const trimmed = harness(stream);
    await new ShardConsumer(trimmed.context, trimmed.lease('s1', all[11]), FAR).run();
    expect(trimmed.events.flatMap(seqs)).toEqual(all.slice(20));
    expect(trimmed.logger.lines.some((l) => l.level === 'warn' && l.message.includes('TRIM_HORIZON'))).toBe(
      true,
    );
  });

  it('a spurious TrimmedDataAccessException (DynamoDB Local, fresh shards) never hands over a record read before it', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    stream.expireSecondPoll = false;
    stream.pageLimit = 10; // several pages: the third read is refused mid-shard
    for (const op of makeOps(4, 30, 30)) stream.append('s1', op);
    stream.close('s1');
    const all = await (async () => {
      const h = harness(stream);
      await new ShardConsumer(h.context, h.lease('s1'), FAR).run();
      return h.events.flatMap(seqs);
    })();
    // the checkpoint's iterator, and then a read mid-shard, refused as trimmed once each; TRIM_HORIZON is record 0
    const real = stream.client();
    let refused = { iterator: false, read: 0 };
    const streams = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        if (
          name === 'GetShardIteratorCommand' &&
          command.input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' &&
          !refused.iterator
        ) {
          refused = { ...refused, iterator: true };
          throw Object.assign(new Error('trimmed'), { name: 'TrimmedDataAccessException' });
        }
        if (name === 'GetRecordsCommand' && ++refused.read === 3)
          throw Object.assign(new Error('trimmed'), { name: 'TrimmedDataAccessException' });
        return (real.send as (c: unknown) => Promise<unknown>)(command);
      },
    } as unknown as ConsumerContext['streams'];
    const h = harness(stream, { streams });
    expect(await new ShardConsumer(h.context, h.lease('s1', all[11]), FAR).run()).toBe('ended');
    expect(refused.iterator).toBe(true);
    expect(refused.read).toBeGreaterThan(3);
    expect(h.events.flatMap(seqs)).toEqual(all.slice(12));
  });

  it('a shard the stream no longer has is finished (its children may start)', async () => {
    const stream = new FakeStream();
    const h = harness(stream);
    expect(await new ShardConsumer(h.context, h.lease('gone'), FAR).run()).toBe('ended');
    expect(h.checkpoints).toEqual([SHARD_END]);
  });

  it('a shard whose GetRecords keeps answering ResourceNotFoundException is gone after the grace, though GetShardIterator answers', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(3, 3, 3)) stream.append('s1', op);
    const real = stream.client();
    const streams = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetRecordsCommand')
          throw Object.assign(new Error('Requested resource not found'), {
            name: 'ResourceNotFoundException',
          });
        return (real.send as (c: unknown) => Promise<unknown>)(command);
      },
    } as unknown as typeof real;
    // the stream cannot be described: only the grace can take the shard as gone
    const h = harness(stream, {
      streams,
      shardListed: async () => Promise.reject(new Error('the stream cannot be described')),
      shardGoneAfterMs: 1_500,
      pollIntervalMs: 5,
    });
    const started = Date.now();
    const exit = await Promise.race([
      new ShardConsumer(h.context, h.lease('s1'), FAR).run(),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 15_000)),
    ]);
    expect(exit).toBe('ended'); // each re-opened iterator used to restart the grace: the shard was held for good
    expect(h.checkpoints).toEqual([SHARD_END]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('one listing without the shard is not enough to take it as trimmed: a later one that lists it keeps it', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(3, 3, 3)) stream.append('s1', op);
    stream.close('s1');
    const real = stream.client();
    let refusals = 2;
    const streams = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetShardIteratorCommand' && refusals > 0) {
          refusals--;
          throw Object.assign(new Error('Requested resource not found'), {
            name: 'ResourceNotFoundException',
          });
        }
        return (real.send as (c: unknown) => Promise<unknown>)(command);
      },
    } as unknown as typeof real;
    let listings = 0;
    // the first listing misses the shard (an endpoint's eventual consistency), later ones have it
    const h = harness(stream, { streams, shardListed: async () => listings++ > 0 });
    expect(await new ShardConsumer(h.context, h.lease('s1'), FAR).run()).toBe('ended');
    expect(h.events.flatMap((e) => e.Records)).toHaveLength(3); // read to its real end, nothing lost
    expect(listings).toBe(2);
  });

  it('a lost lease stops the shard at the failed checkpoint, without releasing', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    stream.expireSecondPoll = false;
    for (const op of makeOps(4, 30, 30)) stream.append('s1', op);
    let held = 2;
    const h = harness(stream, {}, () => held-- > 0);
    expect(await new ShardConsumer(h.context, h.lease('s1'), FAR).run()).toBe('lost');
    expect(h.events).toHaveLength(3); // the third batch was applied; its checkpoint found another owner
    expect(h.checkpoints).toHaveLength(2);
    expect(h.released).toEqual([]);
  });

  it('stops starting batches once its lease has run out by its own clock', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(5, 10, 10)) stream.append('s1', op);
    const h = harness(stream);
    expect(await new ShardConsumer(h.context, h.lease('s1'), Date.now() - 1).run()).toBe('expired');
    expect(h.events).toEqual([]);
  });
});

describe('ShardConsumer with a LATEST lease', () => {
  const latestLease = (stream: FakeStream, latestFrom?: number): ShardLease => ({
    streamArn: stream.arn,
    shardId: 's1',
    expiresAt: FAR,
    counter: 1,
    startAt: 'LATEST',
    freeSince: 0,
    ...(latestFrom === undefined ? {} : { latestFrom }),
  });
  const handOver = async (stream: FakeStream, more: Partial<ConsumerContext> = {}) => {
    const h = harness(stream, more);
    const consumer = new ShardConsumer(h.context, latestLease(stream), FAR);
    const running = consumer.run();
    await until(() => consumer.progress().caughtUp || h.opened.length > 0);
    await new Promise((r) => setTimeout(r, 30)); // polled its LATEST iterator
    return { h, consumer, running };
  };

  it('marks the lease opened, and pins the position after the history when it gives the lease up first', async () => {
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    stream.addShard('s1');
    for (const op of makeOps(6, 3, 3)) stream.append('s1', op);
    const history = stream.lastSequence('s1');
    const { h, consumer, running } = await handOver(stream);
    expect(h.opened).toHaveLength(1);
    consumer.requestStop('release');
    expect(await running).toBe('released');
    expect(h.events).toEqual([]);
    expect(h.checkpoints).toEqual([history]); // the next owner resumes right after the history
    expect(h.released).toEqual(['s1']);
  });

  it('pins before the records read since its position (unprocessed), or at TRIM_HORIZON for an empty shard', async () => {
    const stream = new FakeStream();
    stream.expireSecondPoll = false;
    stream.addShard('s1');
    for (const op of makeOps(7, 3, 3, 'old')) stream.append('s1', op);
    const history = stream.lastSequence('s1');
    const { h, consumer, running } = await handOver(stream, { batchWindowMs: 3_600_000 });
    for (const op of makeOps(8, 2, 2, 'new')) stream.append('s1', op); // read, held back by the window
    await until(() => consumer.progress().checkpoint === undefined && !consumer.progress().caughtUp);
    consumer.requestStop('stop');
    expect(await running).toBe('stopped');
    expect(h.events).toEqual([]);
    expect(h.checkpoints).toEqual([history]);

    const empty = new FakeStream();
    empty.expireSecondPoll = false;
    empty.addShard('s1');
    const e = await handOver(empty);
    e.consumer.requestStop('release');
    expect(await e.running).toBe('released');
    expect([e.h.checkpoints, e.h.horizons]).toEqual([[], ['s1']]);
  });

  it('a lease opened before (no pin) is read from TRIM_HORIZON, skipping what was created before latestFrom', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    const from = Date.now();
    const [a, b, c, d] = makeOps(9, 4, 4);
    stream.append('s1', a!, new Date(from - 120_000));
    stream.append('s1', b!, new Date(from - 61_000));
    stream.append('s1', c!, new Date(from - 30_000)); // within the margin: counted
    stream.append('s1', d!);
    stream.close('s1');
    const h = harness(stream);
    expect(await new ShardConsumer(h.context, latestLease(stream, from), FAR).run()).toBe('ended');
    expect(h.opened).toEqual([]);
    expect(h.events.flatMap(seqs)).toHaveLength(2);
    expect(h.checkpoints).toEqual([stream.lastSequence('s1'), SHARD_END]);
  });

  it('after a pin, still skips what predates latestFrom (history a skim stopped short of)', async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    const from = Date.now();
    const [a, b, c] = makeOps(10, 3, 3);
    stream.append('s1', a!, new Date(from - 120_000));
    const pinned = stream.lastSequence('s1');
    stream.append('s1', b!, new Date(from - 90_000));
    stream.append('s1', c!);
    stream.close('s1');
    const h = harness(stream);
    const lease = { ...latestLease(stream, from), checkpoint: pinned };
    expect(await new ShardConsumer(h.context, lease, FAR).run()).toBe('ended');
    expect(h.events.flatMap(seqs)).toEqual([stream.lastSequence('s1')]);
  });

  it('gives a shard up when its handler call hangs past applyTimeoutMs: no checkpoint, the lease released, and the late call fenced', {
    timeout: 60_000,
  }, async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(1, 12, 12)) stream.append('s1', op);
    let wake = () => {};
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    let heldAfterWaking: boolean | undefined;
    const errors: unknown[] = [];
    const h = harness(stream, {
      applyTimeoutMs: 50,
      onError: (_shardId, e) => errors.push(e),
      handler: async (event) => {
        await woken; // hangs until the test wakes it, long after the timeout
        heldAfterWaking = event.leaseHeld?.();
        return { batchItemFailures: [] };
      },
    });
    expect(await new ShardConsumer(h.context, h.lease('s1'), FAR).run()).toBe('hung');
    expect(h.checkpoints).toEqual([]);
    expect(h.released).toEqual(['s1']);
    expect(errors.some((e) => (e as { code?: string }).code === 'APPLY_TIMEOUT')).toBe(true);
    expect(h.logger.lines.some((l) => l.level === 'error' && l.fields?.code === 'APPLY_TIMEOUT')).toBe(true);
    wake();
    await until(() => heldAfterWaking !== undefined);
    // the call that wakes up late finds the lease gone (a write side sends nothing more) and checkpoints nothing
    expect(heldAfterWaking).toBe(false);
    await until(() => h.logger.lines.some((l) => l.message.startsWith('a hung apply call settled')));
    expect(h.checkpoints).toEqual([]);
  });

  it('gives a shard up when its dead-letter sink hangs past applyTimeoutMs: no checkpoint past the letter, the lease released, and no late letter', {
    timeout: 60_000,
  }, async () => {
    const stream = new FakeStream();
    stream.addShard('s1');
    for (const op of makeOps(2, 12, 12)) stream.append('s1', op);
    let wake = () => {};
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    let heldAfterWaking: boolean | undefined;
    const errors: unknown[] = [];
    const h = harness(stream, {
      applyTimeoutMs: 50,
      policy: { maxRetries: 0, bisectOnError: false, retryBaseMs: 1, retryMaxMs: 1 },
      onError: (_shardId, e) => errors.push(e),
      // every batch fails, so its records go to the sink, which never answers until the test wakes it
      handler: async () => {
        throw new Error('poison');
      },
      deadLetter: async (_shardId, _records, _code, _reason, _through, held) => {
        await woken;
        heldAfterWaking = held?.();
      },
    });
    expect(await new ShardConsumer(h.context, h.lease('s1'), FAR).run()).toBe('hung');
    expect(h.checkpoints).toEqual([]);
    expect(h.released).toEqual(['s1']);
    expect(
      errors.some(
        (e) =>
          (e as { code?: string }).code === 'APPLY_TIMEOUT' &&
          (e as { details?: { stage?: string } }).details?.stage === 'dead-letter',
      ),
    ).toBe(true);
    expect(
      h.logger.lines.some(
        (l) => l.level === 'error' && l.fields?.code === 'APPLY_TIMEOUT' && l.fields?.stage === 'dead-letter',
      ),
    ).toBe(true);
    wake();
    await until(() => heldAfterWaking !== undefined);
    // the call that wakes up late finds the lease given up (the worker then sends no letter) and checkpoints nothing
    expect(heldAfterWaking).toBe(false);
    await until(() => h.logger.lines.some((l) => l.message.startsWith('a hung dead-letter call settled')));
    expect(h.checkpoints).toEqual([]);
  });
});
