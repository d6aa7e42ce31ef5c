import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fencedClient } from './fenced-client.ts';
import { lateAfterSeconds } from './late-records.ts';
import { pruneAfterSeconds } from './redelivery-horizon.ts';
import { SEND_AFTER_LATE_SECONDS, sendDeadline } from './send-deadline.ts';

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
