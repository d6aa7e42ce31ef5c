// Review s41r (Redis buffer, `rowBucketMs` kinds): the applier picks a row's flush bucket width by its kind
// (`rowBucketMs[labelKind(sk)]`, encode-cells.ts) and checked only the widths. A misspelt kind (`months`, `All`, or
// `monthly` from an untyped config file) was ignored without a word: those rows flushed every `bucketMs`, several
// times the write units the setting was meant to save, and nothing said why.
// Observed (before the fix): `createBufferedApplier({ rowBucketMs: { months: 3_600_000 } })` is accepted.
// Expected: CONFIG_INVALID at creation naming the kind and the known ones; widths that are not positive whole
// numbers (0, -1, NaN) stay refused.
// Fixed (session 41, redis/buffer-options.ts `bucketWidths`).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { errorOf } from '../support/error-of.ts';

const orders = defineRollup({
  name: 'orders',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});
// never connected: the refusal comes at creation
const redis = new Redis({ lazyConnect: true });
const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' });
afterAll(() => {
  redis.disconnect();
  client.destroy();
});

const build = (rowBucketMs: Record<string, number>) =>
  createBufferedApplier({
    redis,
    client,
    table: 'aggregates',
    rollups: [orders],
    rowBucketMs: rowBucketMs as never,
  });

describe('Redis buffer: rowBucketMs kinds (review s41r)', () => {
  it('refuses a kind no row has, naming the known kinds', () => {
    const e = errorOf(() => build({ months: 3_600_000 }));
    expect(e).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(e.message).toMatch(/months/);
    expect(e.message).toMatch(/minute, hour, day, week, month, year, all/);
  });

  it('refuses widths that are not positive whole numbers, and takes the known kinds', () => {
    for (const bad of [0, -1, Number.NaN, 1.5])
      expect(errorOf(() => build({ month: bad }))).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(() => build({ month: 3_600_000, all: 3_600_000 })).not.toThrow();
  });
});
