// Buffered mode's refusals, before any connection: a configuration the Redis buffer cannot honour fails with
// what to change (a Redis URL nothing listens on shows no connection was tried: that would be REDIS_UNAVAILABLE).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError, isDynotallyError, type Logger } from 'dynotally';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { storeMetrics } from '../../scenarios/index.ts';
import type { RedisBufferModules } from '../config/redis.ts';
import { bufferedSide, bufferedWriteSide, DEFAULT_FLUSH_GRACE_MS } from './worker-buffered.ts';

const flags = { redis: 'redis://127.0.0.1:1', bucket: 60_000, onRedisDown: 'direct' as const };
const tables = { source: 's', aggregate: 'a', deadLetter: 'd', leases: 'l' };
const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const refusal = (settings: Parameters<typeof bufferedWriteSide>[1]) =>
  bufferedWriteSide(flags, settings, logger).then(
    () => undefined,
    (e: unknown) => e,
  );

describe('dynotally worker --redis: configurations the buffer cannot honour', () => {
  it("refuses strategy 'transaction' (the buffer's direct fallback keeps row watermarks)", async () => {
    const e = await refusal({
      mode: 'exactly-once',
      strategy: 'transaction',
      writeApi: undefined,
      rollups: [storeMetrics],
      tables,
    });
    expect(isDynotallyError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(
      /drop strategy 'transaction' from the configuration, or drop --redis/,
    );
  });

  it("refuses mode 'at-least-once'", async () => {
    const e = await refusal({
      mode: 'at-least-once',
      strategy: undefined,
      writeApi: undefined,
      rollups: [storeMetrics],
      tables,
    });
    expect(isDynotallyError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
  });

  it("refuses a --key-ttl the buckets allow but the applier's shard watermarks do not (25 hours)", async () => {
    const settings = {
      mode: 'exactly-once' as const,
      strategy: undefined,
      writeApi: undefined,
      rollups: [storeMetrics],
      tables,
    };
    const short = { ...flags, keyTtl: 24 * 3_600_000 + 120_000 }; // a 1-minute bucket + 24 h + a minute
    const e = await bufferedWriteSide(short, settings, logger).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isDynotallyError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(
      /--key-ttl 1442m is too short for the applier's shard watermarks.*25h/,
    );
  });
});

describe('dynotally worker --redis --flush-grace', () => {
  const settings = {
    mode: 'exactly-once' as const,
    strategy: undefined,
    writeApi: undefined,
    rollups: [storeMetrics],
    tables,
  };
  const fails = (f: Parameters<typeof bufferedWriteSide>[0]) =>
    bufferedWriteSide(f, settings, logger).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('is refused without --flush-every (no flusher in the process), before any connection', async () => {
    const e = await fails({ ...flags, given: ['--flush-grace'], flushGrace: 30_000 });
    expect(isDynotallyError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(/--flush-grace only applies to the worker's own flusher/);
  });

  it('counts in the key expiry the buffer needs, under its own name', async () => {
    // 1-minute buckets, a flush every minute, a 2-hour grace: 25 h of keys are too few (24 h + 2 h 2 min needed)
    const e = await fails({
      ...flags,
      given: ['--flush-every', '--flush-grace', '--key-ttl'],
      flushEvery: 60_000,
      flushGrace: 2 * 3_600_000,
      keyTtl: 25 * 3_600_000,
    });
    expect(isDynotallyError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toContain('--flush-grace');
  });

  it("reaches the worker's flusher (the default: dynotally flush's 10 s)", () => {
    const graces: unknown[] = [];
    const buffer = {
      createFlusher: (o: { graceMs?: number }) => {
        graces.push(o.graceMs);
        return { start() {}, stop: async () => {} };
      },
      createBufferedApplier: () => ({}),
    } as unknown as RedisBufferModules['buffer'];
    const redis = { disconnect() {} } as unknown as Redis;
    const client = {} as DynamoDBClient;
    for (const flushGrace of [45_000, undefined]) {
      const side = bufferedSide(
        { ...flags, flushEvery: 60_000, flushGrace },
        { ...settings, tables: { ...tables, deadLetter: 'dead-letters' } },
        logger,
        redis,
        buffer,
        flags.redis,
        {},
      );
      side.start(client);
    }
    expect(graces).toEqual([45_000, DEFAULT_FLUSH_GRACE_MS]);
    expect(DEFAULT_FLUSH_GRACE_MS).toBe(10_000);
  });

  // review s31: with --wait-replicas, a replica still syncing at start made the first claim's wait fail, and the
  // worker exited; the table's buffer is checked before that wait, so only the claim waits for the first batch
  it('starts when the replicas have not confirmed a first claim yet, with a warning; other refusals still stop it', async () => {
    const warnings: string[] = [];
    const warned: Logger = { ...logger, warn: (m) => void warnings.push(m) };
    const claimFailing = (code: 'REDIS_NOT_REPLICATED' | 'CONFIG_INVALID') =>
      ({
        claimTableBuffer: async (o: { waitReplicas?: unknown }) => {
          expect(o.waitReplicas).toEqual({ min: 1 });
          throw new DynotallyError(code, `refused (${code})`);
        },
        // the start's eviction check (review s40r), after the claim: a noeviction Redis
        checkEvictionPolicy: async () => {},
      }) as unknown as RedisBufferModules['buffer'];
    const side = (buffer: RedisBufferModules['buffer']) =>
      bufferedSide(flags, { ...settings, tables }, warned, {} as Redis, buffer, flags.redis, {
        waitReplicas: { min: 1 },
      });
    await side(claimFailing('REDIS_NOT_REPLICATED')).checkTable({} as DynamoDBClient);
    expect(warnings).toEqual([expect.stringMatching(/replicas have not confirmed the buffer's id yet/)]);
    await expect(side(claimFailing('CONFIG_INVALID')).checkTable({} as DynamoDBClient)).rejects.toMatchObject(
      {
        code: 'CONFIG_INVALID',
      },
    );
  });
});
