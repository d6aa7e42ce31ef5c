// Review s19 (Redis buffer, `onRedisDown: 'direct'`, undoing an in-doubt batch into a sealed bucket): REJOIN_SCRIPT
// reads the width of the bucket it subtracts a reverted batch into from ARGV[7] ("current bucket width"), but
// `rejoinShard` sends only six arguments — `RejoinContext.bucketWidth` is never passed. The width is only read when
// the target bucket (the rejoiner's current bucket) is at or before the seal, where `sealedBucket(b, nil)` computes
// `math.floor(seal / nil)` and the script dies with a Lua error. `redisCall` reports every script error as
// REDIS_UNAVAILABLE, so: the applier's rejoin is taken for "Redis down" and the shard stays fenced (every batch goes
// direct, at direct cost, with a `GetItem` each), and the flusher, which rejoins fences before it seals, fails the
// whole flush (no bucket is flushed) for as long as the condition holds. The target is sealed after
// `flushClosed({ all: true })` (the seal moves to the newest open bucket, the current one; with `rowBucketMs`
// up to an hour ahead) and when a consumer's clock is more than `graceMs` behind the flusher's (a case the docs
// call harmless: "writes to sealed buckets go to the bucket at the seal").
// Observed: the batch after the in-doubt one reports `rejoined: undefined` and mode 'direct' (the rejoin failed
// as REDIS_UNAVAILABLE "… attempt to perform arithmetic on local 'width' (a nil value) …"), and `flushClosed()` rejects with
// REDIS_UNAVAILABLE.
// Expected: the rejoin reverts the in-doubt batch into the first bucket after the seal (`rejoined: 'reverted'`),
// the shard is back on the buffer, and the flush runs.
// Fixed (session 19): `rejoinShard` passes the width as ARGV[7], and `redisCall` reports a Lua error as
// REDIS_SCRIPT_FAILED (redis/script-error.ts), never REDIS_UNAVAILABLE; this was the review's it.fails.
// Suggested fix: pass `String(ctx.bucketWidth)` as the seventh argument in `rejoinShard` (and make `redisCall`
// keep a script error, `ERR … script: …`, apart from an unreachable Redis, so such a bug is not mistaken for an
// outage).
import type { DynamoDBRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { LuaScript, redisCall } from '../../packages/dynotally/src/redis/lua-script.ts';
import { type BufferEnv, startBufferEnv } from '../redis/harness.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});

let env: BufferEnv;
beforeAll(async () => {
  env = await startBufferEnv();
});
afterAll(() => env?.close());

/** A client whose next script reply is lost after the server ran it (as in test/redis/redis-down.int.test.ts). */
function lossyReplies(redis: Redis): { client: Redis; loseNext(): void } {
  let lose = 0;
  const client = new Proxy(redis, {
    get(target, prop, receiver) {
      if (prop === 'evalsha' || prop === 'eval') {
        const run = Reflect.get(target, prop, receiver) as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          const out = await run.apply(target, args);
          if (lose > 0) {
            lose--;
            throw new Error('Connection is closed.');
          }
          return out;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    client,
    loseNext: () => {
      lose = 1;
    },
  };
}

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
let seq = 1000;
const rec = (t: number): DynamoDBRecord => {
  seq += 1;
  const id = `o${seq}`;
  return {
    eventID: id,
    eventName: 'INSERT',
    eventSourceARN: 'arn:test:stream',
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, storeId: { S: 's-1' }, t: { N: String(t) } },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: Math.floor(t / 1000),
    },
  };
};

describe('review s19: rejoining a shard whose in-doubt batch must be undone into a sealed bucket', () => {
  it('reverts the batch and rejoins; the flush still runs', async () => {
    const { clock, common } = await env.fixture('s19rj', [orders], START);
    const options = { ...common, bucketMs: 15 * 60_000 };
    const lossy = lossyReplies(env.redis);
    const applier = createBufferedApplier({ ...options, redis: lossy.client, onRedisDown: 'direct' });
    const flusher = createFlusher(options);
    await applier.apply({ records: [rec(clock.now())], shardId: 's-1' });
    // a flusher whose clock runs 30 minutes ahead (more than graceMs) seals the consumer's current bucket (12:15).
    // (The review reached it through `flushClosed({ all: true })`, which since session 19 never seals past the
    // flusher's own now − graceMs: see test/redis/flush-all.int.test.ts.)
    const ahead = createFlusher({ ...options, now: () => clock.now() + 30 * 60_000 });
    await ahead.flushClosed();
    clock.advance(60_000);
    lossy.loseNext(); // Redis takes this batch, the reply is lost: it is written directly too (fence opened)
    const inDoubt = await applier.apply({ records: [rec(clock.now())], shardId: 's-1' });
    expect(inDoubt.buffer.mode).toBe('direct');
    clock.advance(60_000);
    const next = await applier.apply({ records: [rec(clock.now())], shardId: 's-1' });
    const flush = await flusher.flushClosed().then(
      () => undefined,
      (e: unknown) => (isDynotallyError(e) ? `${e.code}: ${e.message}` : String(e)),
    );
    // observed: { rejoined: undefined, mode: 'direct', flush: "REDIS_UNAVAILABLE: … arithmetic on local 'width' (a nil value) …" }
    expect({ rejoined: next.buffer.rejoined, mode: next.buffer.mode, flush }).toEqual({
      rejoined: 'reverted',
      mode: 'redis',
      flush: undefined,
    });
  });

  it('reports a script that fails inside Redis as REDIS_SCRIPT_FAILED, not as Redis being down', async () => {
    const broken = new LuaScript('local width = tonumber(ARGV[7]); return math.floor(10 / width)');
    const code = await redisCall(broken.run(env.redis, [], ['a']), 5_000, 'run a broken script').then(
      () => undefined,
      (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
    );
    expect(code).toBe('REDIS_SCRIPT_FAILED');
  });
});
