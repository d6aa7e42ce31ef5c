import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lateAfterSeconds, splitLate } from './late-records.ts';
import { pruneAfterSeconds } from './redelivery-horizon.ts';

const at = (seconds: unknown, seq: string) =>
  ({ dynamodb: { SequenceNumber: seq, ApproximateCreationDateTime: seconds } }) as unknown as DynamoDBRecord;

describe('late records', () => {
  it('are late past the redelivery horizon less half its margin', () => {
    expect(lateAfterSeconds(pruneAfterSeconds(undefined))).toBe(24 * 3600 + 1800);
    expect(lateAfterSeconds(pruneAfterSeconds({ maxRecordAgeSeconds: 3600 }))).toBe(3600 + 1800);
  });

  it('splits a batch in order; a record without a usable time is on time', () => {
    const now = 1_800_000_000_000;
    const lateAfter = 100;
    const records = [
      at(now / 1000 - 101, '1'),
      at(now / 1000 - 100, '2'),
      at(undefined, '3'),
      at('1700000000', '4'),
      at(Number.NaN, '5'),
      at(now / 1000 - 5000, '6'),
      at(now / 1000 + 60, '7'),
    ];
    const { late, onTime } = splitLate(records, now, lateAfter);
    expect(late.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['1', '6']);
    expect(onTime.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['2', '3', '4', '5', '7']);
  });

  it('returns the batch itself when nothing is late', () => {
    const records = [at(1000, '1')];
    expect(splitLate(records, 1_000_000, 100_000).onTime).toBe(records);
  });
});
