import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fencedClient } from './fenced-client.ts';
import { lateAfterSeconds, splitLate } from './late-records.ts';
import { HORIZON_MARGIN_SECONDS, pruneAfterSeconds } from './redelivery-horizon.ts';
import {
  REQUEST_IN_FLIGHT_SECONDS,
  SEND_AFTER_LATE_SECONDS,
  SETTLE_AFTER_LATE_SECONDS,
  sendDeadline,
  WRITER_CLOCK_SKEW_SECONDS,
} from './send-deadline.ts';

const at = (seconds: number | undefined): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: '1',
    ...(seconds === undefined ? {} : { ApproximateCreationDateTime: seconds }),
  },
});
const lateAfter = lateAfterSeconds(pruneAfterSeconds(undefined));

describe('sendDeadline', () => {
  it("is the oldest record's creation + 24 h 30 min + 10 min, inside the 25 h horizon less 15 min of skew", () => {
    expect(lateAfter + SEND_AFTER_LATE_SECONDS).toBe(24 * 3600 + 40 * 60);
    expect(lateAfter + SEND_AFTER_LATE_SECONDS).toBeLessThan(pruneAfterSeconds(undefined) - 15 * 60);
    expect(sendDeadline([at(5_000), at(1_000), at(undefined)], lateAfter)).toBe((1_000 + 88_800) * 1000);
    expect(sendDeadline([at(undefined)], lateAfter)).toBeUndefined();
  });

  it('cuts a call on a record just under the late point at 10 minutes, not 15: its last request lands in time', () => {
    const horizon = pruneAfterSeconds(undefined);
    const c = 1_000_000;
    const record = at(c);
    // checked 1 s before the late point: on time
    const checkedAt = (c + lateAfter - 1) * 1000;
    expect(splitLate([record], checkedAt, lateAfter).late).toEqual([]);
    const by = sendDeadline([record], lateAfter) as number;
    // the earliest prune of its state by this clock (another writer 15 minutes ahead): c + 24 h 45 min
    const earliestPrune = (c + horizon - WRITER_CLOCK_SKEW_SECONDS) * 1000;
    // the last request sent before the cut lands, in flight for up to 5 minutes, exactly by then
    expect(by + REQUEST_IN_FLIGHT_SECONDS * 1000).toBe(earliestPrune);
    expect(by - checkedAt).toBeLessThanOrEqual(10 * 60_000 + 1000);
    // a Lambda invocation's full 15 minutes from the check would send past the cut, its last request landing
    // 5 minutes after the earliest prune: it is refused from 10 minutes on
    expect(checkedAt + 15 * 60_000).toBeGreaterThan(by);
    expect(checkedAt + 15 * 60_000 + REQUEST_IN_FLIGHT_SECONDS * 1000).toBeGreaterThan(earliestPrune);
  });

  it("holds a settled record's requests to its shard state's lifetime, as an on-time record's: creation + 24 h 40 min", () => {
    const horizon = pruneAfterSeconds(undefined);
    const settled = at(1_000);
    const onTime = at(1_000 + 2 * 3600);
    expect(SETTLE_AFTER_LATE_SECONDS).toBe(SEND_AFTER_LATE_SECONDS);
    // a take-back needs the row's shard state, which another writer (15 minutes ahead) may prune from the record's
    // creation + horizon - 15 min by this clock: the last settle request, 5 minutes in flight, lands by then
    const statePruned = (1_000 + horizon - WRITER_CLOCK_SKEW_SECONDS) * 1000;
    const by = sendDeadline([settled, onTime], lateAfter) as number;
    expect(by).toBe((1_000 + 24 * 3600 + 40 * 60) * 1000);
    expect(by + REQUEST_IN_FLIGHT_SECONDS * 1000).toBe(statePruned);
    // the take-back marker (dropped from the horizon + its margin - 15 min by this clock) never binds
    const markerDropped = (1_000 + horizon + HORIZON_MARGIN_SECONDS - WRITER_CLOCK_SKEW_SECONDS) * 1000;
    expect(markerDropped - by).toBe(65 * 60_000);
    // a batch of settled records only has the same deadline
    expect(sendDeadline([settled], lateAfter)).toBe(by);
  });
});

describe('fencedClient with a send deadline', () => {
  it('sends until the deadline, then refuses every request with RECORD_TOO_OLD', async () => {
    const sent: unknown[] = [];
    const inner = { send: async (c: unknown) => sent.push(c) } as unknown as DynamoDBClient;
    const clock = { t: 1_000 };
    const client = fencedClient(inner, undefined, 'shard-1', { by: 2_000, now: () => clock.t });
    const command = new GetItemCommand({ TableName: 't', Key: {} });
    await client.send(command);
    clock.t = 1_999;
    await client.send(command);
    clock.t = 2_000;
    expect(() => client.send(command)).toThrow(expect.objectContaining({ code: 'RECORD_TOO_OLD' }));
    expect(sent).toHaveLength(2);
  });
});
