import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import {
  type BufferedApplierOptions,
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  listFences,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracle } from '../oracle/oracle.ts';
import { ddbReady } from '../support/ddb.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import { flakyClient } from './fail-fast-redis.ts';
import {
  type BufferEnv,
  canonicalOf,
  fakeClock,
  quietLogger,
  sampleWorkload,
  scanItems,
  startBufferEnv,
} from './harness.ts';
import { lossyReplies } from './lossy-replies.ts';

const MINUTE = 60_000;
const SHARD = 'shardId-0001';

// A generous budget: DynamoDB Local is shared with other suites on a small machine (no timing is asserted).
describe('Redis buffer: Redis down', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const { rollups, compiled, oracleRollups } = testRollups('UTC');
  const ops = sampleWorkload(5, 42);
  // the last record is an insert into a group nobody else uses, so the last batch always counts something
  const sim = simulate([
    ...ops,
    {
      kind: 'put',
      key: 'last',
      item: {
        g: { S: 'last' },
        t: { N: String(Date.UTC(2026, 6, 1)) },
        type: { S: 'order' },
        amount: { N: '1' },
      },
    },
  ]);
  const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
  const batches: DynamoDBRecord[][] = [];
  for (let i = 0; i < sim.records.length; i += 6) batches.push(sim.records.slice(i, i + 6));

  async function setup(prefix: string) {
    const { table, keyPrefix } = await env.fresh(prefix);
    const clock = fakeClock(Date.UTC(2026, 0, 10, 12, 0, 30));
    const logger = quietLogger();
    const base = { client: env.ddb, table, rollups, bucketMs: MINUTE, keyPrefix, now: clock.now, logger };
    const finish = async () => {
      clock.advance(5 * MINUTE);
      const report = await createFlusher({
        ...base,
        redis: env.redis,
        graceMs: 0,
        keepFlushedMs: 0,
      }).flushClosed({ all: true }); // all: a rejoin may subtract a batch again into the current bucket
      expect(report.skipped).toBeUndefined();
      expect(await listFences(env.ddb, table)).toEqual([]);
      expect(await env.redis.zcard(`${keyPrefix}open`)).toBe(0);
      expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(expected);
    };
    return { table, keyPrefix, clock, logger, base, finish };
  }

  it("onRedisDown 'fail' (default): the batch is rejected with REDIS_UNAVAILABLE, nothing is counted, and the retry after Redis is back is exact", async () => {
    const { table, clock, base, finish } = await setup('rb-fail');
    const flaky = await flakyClient(env.server.url);
    // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
    const applier = createBufferedApplier({ ...base, lateRecords: 'apply', redis: flaky.client });
    await applier.apply({ records: batches[0] as DynamoDBRecord[], shardId: SHARD });
    flaky.down();
    const failed = await applier.apply({ records: batches[1] as DynamoDBRecord[], shardId: SHARD }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDynotallyError(failed, 'REDIS_UNAVAILABLE')).toBe(true);
    // no counter went to DynamoDB (only idempotent min / max / last values, which need no buffer)
    for (const item of await scanItems(env.ddb, table)) {
      expect(
        Object.keys(item).filter((k) => k.startsWith('w_') || k.startsWith('~') || k === '_fb' || k === 'n'),
      ).toEqual([]);
    }
    await flaky.up();
    for (const batch of batches.slice(1)) {
      clock.advance(MINUTE);
      await applier.apply({ records: batch, shardId: SHARD });
    }
    flaky.client.disconnect();
    await finish();
  });

  it("onRedisDown 'direct': batches go straight to DynamoDB while Redis is down (redeliveries included), and the shard rejoins the buffer when it is back", async () => {
    const { base, clock, logger, table, finish } = await setup('rb-direct');
    const flaky = await flakyClient(env.server.url);
    const options: BufferedApplierOptions = { ...base, redis: flaky.client, onRedisDown: 'direct' };
    const applier = createBufferedApplier({ ...options, lateRecords: 'apply' });
    const modes: string[] = [];
    const deliver = async (i: number, by = applier) => {
      clock.advance(MINUTE);
      const { buffer, report } = await by.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD });
      modes.push(buffer.mode + (buffer.rejoined ? `:${buffer.rejoined}` : ''));
      return report;
    };
    await deliver(0);
    await deliver(1);
    flaky.down();
    const direct = await deliver(2);
    expect(direct.rowsWritten).toBeGreaterThan(0);
    expect((await listFences(env.ddb, table)).length).toBe(1);
    await deliver(2); // redelivered while down: the row watermarks make it a no-op
    await deliver(3, createBufferedApplier({ ...options, lateRecords: 'apply' })); // another container, cold
    await deliver(4);
    await flaky.up();
    await deliver(4); // Redis is back: the shard rejoins (nothing to undo), the batch itself was already written
    await deliver(5);
    for (let i = 6; i < batches.length; i++) await deliver(i);
    expect(modes.slice(0, 7)).toEqual([
      'redis',
      'redis',
      'direct',
      'direct',
      'direct',
      'direct',
      'skipped:clean',
    ]);
    expect(modes[7]).toBe('redis');
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    flaky.client.disconnect();
    await finish();
  });

  it("a batch Redis ran although its caller saw a failure is undone when the shard rejoins ('direct')", async () => {
    const { base, clock, logger, finish } = await setup('rb-indoubt');
    const lossy = lossyReplies(env.redis);
    const applier = createBufferedApplier({
      ...base,
      lateRecords: 'apply',
      redis: lossy.client,
      onRedisDown: 'direct',
    });
    const rejoins: Array<string | undefined> = [];
    for (let i = 0; i < batches.length; i++) {
      clock.advance(MINUTE);
      if (i === 2) lossy.loseNext(); // Redis takes batch 2, the reply is lost: the applier writes it directly too
      const { buffer } = await applier.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD });
      rejoins.push(buffer.rejoined);
      if (i === 2) expect(buffer.mode).toBe('direct');
      if (i === 3) {
        // before the rejoin settled it, Redis and DynamoDB both held batch 2; it was subtracted from Redis again
        expect(buffer.rejoined).toBe('reverted');
      }
    }
    expect(rejoins.filter((r) => r !== undefined)).toEqual(['reverted']);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    await finish();
  });

  it("with 'fail', a lost reply just fails the batch; its retry finds the watermark moved and adds nothing", async () => {
    const { base, clock, finish } = await setup('rb-indoubt-fail');
    const lossy = lossyReplies(env.redis);
    const applier = createBufferedApplier({ ...base, lateRecords: 'apply', redis: lossy.client });
    for (let i = 0; i < batches.length; i++) {
      clock.advance(MINUTE);
      if (i === 1) {
        lossy.loseNext();
        await expect(
          applier.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD }),
        ).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      }
      const { buffer } = await applier.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD });
      if (i === 1) expect(buffer).toMatchObject({ mode: 'skipped', replans: 1 });
    }
    await finish();
  });

  it('the flusher rejoins a shard that never writes again (a closed shard), undoing its in-doubt batch', async () => {
    const { base, clock, finish, table } = await setup('rb-closed');
    const lossy = lossyReplies(env.redis);
    const applier = createBufferedApplier({
      ...base,
      lateRecords: 'apply',
      redis: lossy.client,
      onRedisDown: 'direct',
    });
    for (let i = 0; i < batches.length; i++) {
      clock.advance(MINUTE);
      if (i === batches.length - 1) lossy.loseNext();
      await applier.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD });
    }
    expect((await listFences(env.ddb, table)).length).toBe(1);
    // merged reads are off by the in-doubt batch until the rejoin: it is in Redis and in DynamoDB
    expect(
      canonicalOf(
        compiled,
        await scanItems(env.ddb, table),
        await createRedisLiveSource({ ...base, redis: env.redis }).readAll(),
      ),
    ).not.toEqual(expected);
    await finish(); // the flusher finds the quiescent fence, rejoins, and flushes the correction
  });

  it('a double count that cannot be undone (no journal) is reported as an error, never silently', async () => {
    const { base, clock, logger, table } = await setup('rb-conflict');
    const flaky = await flakyClient(env.server.url);
    // batch 0 goes to Redis through an applier that keeps no journal ('fail' mode) …
    await createBufferedApplier({ ...base, lateRecords: 'apply', redis: env.redis }).apply({
      records: batches[0] as DynamoDBRecord[],
      shardId: SHARD,
    });
    // … it is redelivered to a cold 'direct' applier while Redis is unreachable: written again, directly
    const direct = createBufferedApplier({
      ...base,
      lateRecords: 'apply',
      redis: flaky.client,
      onRedisDown: 'direct',
    });
    flaky.down();
    clock.advance(MINUTE);
    expect(
      (await direct.apply({ records: batches[0] as DynamoDBRecord[], shardId: SHARD })).buffer.mode,
    ).toBe('direct');
    await flaky.up();
    clock.advance(MINUTE);
    const { buffer } = await direct.apply({ records: batches[1] as DynamoDBRecord[], shardId: SHARD });
    expect(buffer.rejoined).toBe('conflict');
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({ shardId: SHARD });
    expect(await listFences(env.ddb, table)).toEqual([]);
    flaky.client.disconnect();
  });

  it("onRedisDown 'direct' with write { api: 'update-item' }: the direct batches go by UpdateItem, no PartiQL (a role without the PartiQL permissions)", async () => {
    const { base, clock, finish } = await setup('rb-direct-ui');
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    const sent = new Map<string, number>();
    client.middlewareStack.add(
      (next, context) => (args) => {
        const name = String(context.commandName);
        sent.set(name, (sent.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    const flaky = await flakyClient(env.server.url);
    try {
      const applier = createBufferedApplier({
        ...base,
        lateRecords: 'apply',
        client,
        redis: flaky.client,
        onRedisDown: 'direct',
        write: { api: 'update-item' },
      });
      flaky.down();
      clock.advance(MINUTE);
      const { buffer, report } = await applier.apply({
        records: batches[0] as DynamoDBRecord[],
        shardId: SHARD,
      });
      expect(buffer.mode).toBe('direct');
      expect(report.rowsWritten).toBeGreaterThan(0);
      expect(sent.get('UpdateItemCommand') ?? 0).toBeGreaterThanOrEqual(report.rowsWritten);
      expect(sent.get('BatchExecuteStatementCommand') ?? 0).toBe(0);
      await flaky.up();
      for (const batch of batches.slice(1)) {
        clock.advance(MINUTE);
        await applier.apply({ records: batch, shardId: SHARD });
      }
      await finish();
    } finally {
      flaky.client.disconnect();
      client.destroy();
    }
  });

  it('a real stall (CLIENT PAUSE): the script times out, the batch goes direct, Redis runs the script later, and the rejoin undoes it', async () => {
    const { base, clock, logger, finish } = await setup('rb-pause');
    const redis = new Redis(env.server.url);
    const control = new Redis(env.server.url);
    try {
      const applier = createBufferedApplier({
        ...base,
        lateRecords: 'apply',
        redis,
        onRedisDown: 'direct',
        redisTimeoutMs: 300,
      });
      const statuses: Array<string | undefined> = [];
      for (let i = 0; i < batches.length; i++) {
        clock.advance(MINUTE);
        // long enough to still hold when the script is sent on a loaded machine (the batch's reads of DynamoDB come
        // first: at load 14 a 2.5 s pause had ended by then, and the script ran)
        if (i === 2) await control.client('PAUSE', 8_000, 'ALL');
        const { buffer } = await applier.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD });
        statuses.push(buffer.mode);
        if (i === 2) await new Promise((r) => setTimeout(r, 8_500)); // the stall ends; the queued script runs
      }
      expect(statuses[2]).toBe('direct');
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
      await finish();
    } finally {
      redis.disconnect();
      control.disconnect();
    }
  });
});
