import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { DeadLetterSink } from '../dead-letter/dead-letter.ts';
import { DynamoDbDeadLetterSink } from '../dead-letter/dynamodb-sink.ts';
import { leastLetterRetentionDays } from '../dead-letter/letter-retention.ts';
import { count, defineRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { createFlusher } from './flusher.ts';

const DAY = 86_400_000;
const rollup = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { n: count() },
});
const client = {} as DynamoDBClient;
const parts = { redis: {} as Redis, client, table: 't', rollups: [rollup] };
const sink = (days?: number): DynamoDbDeadLetterSink =>
  days === undefined
    ? new DynamoDbDeadLetterSink(client, 'dead-letters')
    : new DynamoDbDeadLetterSink(client, 'dead-letters', days);

/** The error `make` throws (or undefined). */
function thrown(make: () => unknown): DynotallyError | undefined {
  try {
    make();
    return undefined;
  } catch (e) {
    return e as DynotallyError;
  }
}

// A failed flush's re-run sends its letters again for as long as the bucket's keys live (keyTtlMs); the sink turns
// a letter sent again away only while the letter or a dropped letter's tombstone is kept (retentionDays). A sink
// that forgets first stores a replayed or dropped letter again, to be replayed twice.
describe("the flusher's dead-letter sink outlasts the buffer's keys", () => {
  it('takes the default 14 days with the default 7-day keys, and keys at most 13 days', () => {
    expect(createFlusher({ ...parts, deadLetter: sink() })).toBeDefined();
    expect(createFlusher({ ...parts, keyTtlMs: 13 * DAY, deadLetter: sink() })).toBeDefined();
    expect(createFlusher({ ...parts, keyTtlMs: 30 * DAY, deadLetter: sink(31) })).toBeDefined();
    expect(createFlusher({ ...parts, keyTtlMs: 2 * DAY, deadLetter: sink(3) })).toBeDefined();
  });

  it.each([
    [14 * DAY, 14, 15],
    [30 * DAY, 14, 31],
    [30 * DAY + 1, 31, 32],
    [7 * DAY, 7, 8],
    [2 * DAY, 2.5, 3],
  ])(
    'refuses keys of %d ms with a sink of %d days at creation (CONFIG_INVALID, at least %d days)',
    (keyTtlMs, days, leastDays) => {
      const e = thrown(() => createFlusher({ ...parts, keyTtlMs, deadLetter: sink(days) }));
      expect(e).toBeInstanceOf(DynotallyError);
      expect(e?.code).toBe('CONFIG_INVALID');
      expect(e?.message).toMatch(new RegExp(`keeps letters ${days} days.*Give the sink ${leastDays} days`));
      expect(e?.details).toEqual({ retentionDays: days, keyTtlMs, leastDays });
      expect(leastLetterRetentionDays(keyTtlMs)).toBe(leastDays);
    },
  );

  it("does not check a sink that does not say how long it keeps letters (one of the user's own)", () => {
    const own: DeadLetterSink = { send: async () => {} };
    expect(createFlusher({ ...parts, keyTtlMs: 30 * DAY, deadLetter: own })).toBeDefined();
    expect(createFlusher({ ...parts, keyTtlMs: 30 * DAY })).toBeDefined();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a sink retention of %d days (CONFIG_INVALID)',
    (days) => {
      expect(thrown(() => sink(days))?.code).toBe('CONFIG_INVALID');
    },
  );
});
