import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 'createdAt', format: 'iso8601' },
  granularities: ['day'],
  measures: { orders: count() },
}).compiled;

const insert = (createdAt: string): DynamoDBRecord => ({
  eventID: '1',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/orders/stream/s',
  dynamodb: {
    SequenceNumber: '1',
    ApproximateCreationDateTime: 1_796_320_620,
    NewImage: { storeId: { S: 's-1' }, createdAt: { S: createdAt } },
  },
});

describe('a time attribute that does not hold a time of its format', () => {
  it('is VALUE_INVALID saying what the format needs: an ISO time without a zone', () => {
    // the guide's dead letter for '2026-12-03T10:00:00' said only "which is not a iso8601 time"
    const { poison } = foldBatch([orders], [insert('2026-12-03T10:00:00')]);
    expect(poison).toHaveLength(1);
    expect(poison[0]?.error.code).toBe('VALUE_INVALID');
    expect(poison[0]?.error.message).toBe(
      `rollup 'orders': time attribute 'createdAt' holds {"S":"2026-12-03T10:00:00"}, which is not a time in its format, iso8601: it must hold an ISO-8601 string with its zone, e.g. '2026-11-22T10:00:00Z' or '2026-11-22T11:00:00+01:00' (a wall time without one is ambiguous)`,
    );
    expect(foldBatch([orders], [insert('2026-12-03T10:00:00+01:00')]).poison).toEqual([]);
  });
});
