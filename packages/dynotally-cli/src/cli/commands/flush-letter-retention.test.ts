import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeadLetterSink } from 'dynotally';
import { createFlusher } from 'dynotally/redis';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { storeMetrics } from '../../scenarios/index.ts';
import { flushLetterRetentionDays } from './flush-letter-retention.ts';

const DAY = 86_400_000;

describe('flushLetterRetentionDays', () => {
  it("keeps the sink's 14 days unless the buffer's keys outlive them, then their life and a day", () => {
    expect(flushLetterRetentionDays(undefined)).toBe(14);
    expect(flushLetterRetentionDays(7 * DAY)).toBe(14);
    expect(flushLetterRetentionDays(13 * DAY)).toBe(14);
    expect(flushLetterRetentionDays(14 * DAY)).toBe(15);
    expect(flushLetterRetentionDays(30 * DAY + 1)).toBe(32);
  });

  it.each([undefined, 2 * DAY, 13 * DAY + 1, 14 * DAY, 30 * DAY + 1, 365 * DAY])(
    'gives a sink the flusher takes for --key-ttl %s (the library checks the same rule)',
    (keyTtl) => {
      const client = {} as DynamoDBClient;
      const deadLetter = new DynamoDbDeadLetterSink(client, 'dead-letters', flushLetterRetentionDays(keyTtl));
      const options = { redis: {} as Redis, client, table: 't', rollups: [storeMetrics], deadLetter };
      expect(() =>
        createFlusher(keyTtl === undefined ? options : { ...options, keyTtlMs: keyTtl }),
      ).not.toThrow();
      if (keyTtl !== undefined && keyTtl > 13 * DAY) {
        const short = new DynamoDbDeadLetterSink(
          client,
          'dead-letters',
          flushLetterRetentionDays(keyTtl) - 1,
        );
        expect(() => createFlusher({ ...options, keyTtlMs: keyTtl, deadLetter: short })).toThrow(
          /CONFIG_INVALID|keeps letters/,
        );
      }
    },
  );
});
