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
});
