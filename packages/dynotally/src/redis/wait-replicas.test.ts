import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { createBufferedApplier } from './buffered-applier.ts';
import { createFlusher } from './flusher.ts';
import { waitReplicasOptions } from './wait-replicas.ts';

const rollup = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { n: count() },
});
const parts = { redis: {} as Redis, client: {} as DynamoDBClient, table: 't', rollups: [rollup] };

describe('waitReplicas', () => {
  it('is off by default and takes a default timeout', () => {
    expect(waitReplicasOptions(undefined)).toBe(undefined);
    expect(waitReplicasOptions({ min: 2 })).toEqual({ min: 2, timeoutMs: 1000 });
  });

  it.each([
    [{ min: 0 }, /waitReplicas\.min must be a whole number of replicas of at least 1/],
    [{ min: 1.5 }, /waitReplicas\.min/],
    [{ min: 1, timeoutMs: 0 }, /waitReplicas\.timeoutMs must be a whole number of ms of at least 1/],
    [{ min: 1, timeoutMs: Number.NaN }, /waitReplicas\.timeoutMs/],
  ])('refuses %o with CONFIG_INVALID, in the applier and the flusher at creation', (bad, message) => {
    for (const make of [
      () => createBufferedApplier({ ...parts, waitReplicas: bad }),
      () => createFlusher({ ...parts, waitReplicas: bad }),
    ]) {
      expect(make).toThrow(message);
      try {
        make();
      } catch (e) {
        expect((e as { code?: string }).code).toBe('CONFIG_INVALID');
      }
    }
  });
});
