import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { historyPrefix, LATEST_MARGIN_MS, latestPin } from './latest-start.ts';

const at = (ms: number | undefined): _Record => ({
  dynamodb: ms === undefined ? {} : { ApproximateCreationDateTime: new Date(ms) },
});

describe('historyPrefix', () => {
  const from = Date.parse('2026-12-05T10:00:30.500Z');
  it('skips the leading records created more than the margin before latestFrom, and nothing after the first kept', () => {
    const old = from - LATEST_MARGIN_MS - 1;
    expect(historyPrefix([at(old), at(old), at(from - LATEST_MARGIN_MS), at(old)], from)).toBe(2);
    expect(historyPrefix([at(old), at(old)], from)).toBe(2);
    expect(historyPrefix([], from)).toBe(0);
  });
  it('keeps a record whose time is rounded down (to the second on AWS, the minute on DynamoDB Local)', () => {
    expect(historyPrefix([at(Date.parse('2026-12-05T10:00:00Z'))], from)).toBe(0); // Local, written after latestFrom
    expect(historyPrefix([at(Date.parse('2026-12-05T10:00:30Z'))], from)).toBe(0);
  });
  it('keeps a record without a creation time', () => {
    expect(historyPrefix([at(undefined), at(0)], from)).toBe(0);
  });
});

describe('latestPin', () => {
  it('pins after the last record before the first one read at LATEST', () => {
    expect(latestPin(['10', '13', '16'], '16', false)).toEqual({ kind: 'checkpoint', sequenceNumber: '13' });
    expect(latestPin(['10', '13', '16'], '100', false)).toEqual({ kind: 'checkpoint', sequenceNumber: '16' }); // numeric order
    expect(latestPin(['10', '13'], undefined, false)).toEqual({ kind: 'checkpoint', sequenceNumber: '13' });
  });
  it('pins at TRIM_HORIZON when nothing precedes the LATEST position', () => {
    expect(latestPin([], undefined, false)).toEqual({ kind: 'horizon' });
    expect(latestPin(['16', '19'], '16', false)).toEqual({ kind: 'horizon' });
  });
  it('cannot pin when the kept tail starts after the LATEST position and earlier records were dropped', () => {
    expect(latestPin(['16', '19'], '16', true)).toBeUndefined();
    expect(latestPin(['13', '16'], '16', true)).toEqual({ kind: 'checkpoint', sequenceNumber: '13' });
  });
});
