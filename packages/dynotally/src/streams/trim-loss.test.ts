import { describe, expect, it } from 'vitest';
import { streamCreatedAt, trimmedRecordsMayBeLost } from './trim-loss.ts';

const arn = (label: string) =>
  `arn:aws:dynamodb:ddblocal:000000000000:table/dynotally-source/stream/${label}`;
const created = Date.parse('2026-11-22T13:05:00.123Z');
const H = 3_600_000;

describe('trimmed records: a loss only when the stream can have trimmed anything', () => {
  it('reads the stream creation time from the ARN label', () => {
    expect(streamCreatedAt(arn('2026-11-22T13:05:00.123'))).toBe(created);
    expect(streamCreatedAt(arn('2026-11-22T13:05:00.123Z'))).toBe(created);
    expect(streamCreatedAt(arn('not-a-time'))).toBeUndefined();
    expect(streamCreatedAt('arn:aws:dynamodb:eu-west-1:1:table/t')).toBeUndefined();
  });

  it.each([
    [0, false], // DynamoDB Local's TrimmedDataAccessException on a fresh shard's first GetRecords
    [5_000, false],
    [23 * H, false],
    [24 * H - 11 * 60_000, false],
    [24 * H - 5 * 60_000, true], // within the clock-skew margin of the retention: may be lost
    [24 * H, true],
    [30 * 24 * H, true],
  ])('a stream %d ms old: records may be lost = %s', (age, lost) => {
    expect(trimmedRecordsMayBeLost({ streamArn: arn('2026-11-22T13:05:00.123'), now: created + age })).toBe(
      lost,
    );
  });

  it('an unknown stream age may have lost records', () => {
    expect(trimmedRecordsMayBeLost({ streamArn: arn('label'), now: created })).toBe(true);
  });
});
