import { describe, expect, it } from 'vitest';
import { parseLeaseItem, SHARD_END } from './lease.ts';
import {
  createMeetingParams,
  MEETING_LIST_BYTES,
  meetingKey,
  meetingStart,
  newMeeting,
  parseMeetingItem,
} from './stream-meeting.ts';

const arn = 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-12-05T10:00:00.000';

describe('stream meeting', () => {
  it('round-trips through its item, which no lease scan reads as a lease or presence', () => {
    for (const meeting of [
      newMeeting('LATEST', ['shardId-1', 'shardId-2'], 5),
      newMeeting('LATEST', [], 5),
      newMeeting('TRIM_HORIZON', ['shardId-1'], 5),
    ]) {
      const item = createMeetingParams('leases', arn, meeting).Item!;
      expect(item.pk?.S).toBe(meetingKey(arn));
      expect(item.stream).toBeUndefined(); // the scans filter on it
      expect(parseLeaseItem({ ...item, stream: { S: arn } })).toBeUndefined();
      expect(parseMeetingItem(item)).toEqual(meeting);
    }
    expect(newMeeting('TRIM_HORIZON', ['shardId-1'], 5).shards).toBeUndefined();
    expect(parseMeetingItem({ kind: { S: 'shard' } })).toBeUndefined();
  });

  it('lists no shards past the item size limit', () => {
    const many = Array.from(
      { length: Math.ceil(MEETING_LIST_BYTES / 40) + 1 },
      (_, i) => `shardId-${String(i).padStart(28, '0')}-abcd`,
    );
    expect(newMeeting('LATEST', many, 5)).toEqual({ startAt: 'LATEST', at: 5 });
  });

  it('starts the shards listed at a LATEST meeting at LATEST (closed ones finished), whoever creates them', () => {
    const meeting = newMeeting('LATEST', ['p', 'c'], 5);
    expect(meetingStart(meeting, 'c', false, false)).toEqual({ startAt: 'LATEST' });
    expect(meetingStart(meeting, 'p', true, false)).toEqual({ startAt: 'LATEST', checkpoint: SHARD_END });
    expect(meetingStart(meeting, 'child', false, true)).toEqual({ startAt: 'TRIM_HORIZON' }); // appeared later
    expect(meetingStart(newMeeting('TRIM_HORIZON', [], 5), 'c', false, true)).toEqual({
      startAt: 'TRIM_HORIZON',
    });
  });

  it('without a list falls back to the creating worker’s view; without a meeting (an older lease table), TRIM_HORIZON', () => {
    const unlisted = { startAt: 'LATEST' as const, at: 5 };
    expect(meetingStart(unlisted, 'c', false, true)).toEqual({ startAt: 'LATEST' });
    expect(meetingStart(unlisted, 'c', false, false)).toEqual({ startAt: 'TRIM_HORIZON' });
    expect(meetingStart(undefined, 'c', false, false)).toEqual({ startAt: 'TRIM_HORIZON' });
  });
});
