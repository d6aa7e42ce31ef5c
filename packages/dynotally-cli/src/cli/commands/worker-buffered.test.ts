// Buffered mode's refusals, before any connection: a configuration the Redis buffer cannot honour fails with
// what to change (a Redis URL nothing listens on shows no connection was tried: that would be REDIS_UNAVAILABLE).
import { isDynotallyError, type Logger } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { storeMetrics } from '../../scenarios/index.ts';
import { bufferedWriteSide } from './worker-buffered.ts';

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
