import { describe, expect, it } from 'vitest';
import { removeStalePresenceParams } from './presence-params.ts';
import { STALE_PRESENCE_MS, STALE_PRESENCE_PER_CYCLE, stalePresences } from './stale-presence.ts';

const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-05T11:41:12.255';
const now = Date.UTC(2026, 11, 5, 12);
const presence = (workerId: string, expiredAgoMs: number) => ({
  streamArn,
  workerId,
  expiresAt: now - expiredAgoMs,
});

describe('stalePresences', () => {
  it('picks the presence items expired more than an hour ago, never its own', () => {
    const workers = [
      presence('crashed', STALE_PRESENCE_MS + 1),
      presence('just-expired', 60_000),
      presence('alive', -10_000),
      presence('me', STALE_PRESENCE_MS + 1),
    ];
    expect(stalePresences(workers, 'me', now).map((w) => w.workerId)).toEqual(['crashed']);
  });

  it('removes a bounded number per cycle', () => {
    const workers = Array.from({ length: 25 }, (_, i) => presence(`w${i}`, 2 * STALE_PRESENCE_MS));
    expect(stalePresences(workers, 'me', now)).toHaveLength(STALE_PRESENCE_PER_CYCLE);
  });

  it('deletes only the presence as seen (a worker back since keeps its own)', () => {
    const p = presence('crashed', 2 * STALE_PRESENCE_MS);
    expect(removeStalePresenceParams('leases', p)).toEqual({
      TableName: 'leases',
      Key: { pk: { S: `worker|${streamArn}|crashed` } },
      ConditionExpression: 'expiresAt = :seen',
      ExpressionAttributeValues: { ':seen': { N: String(p.expiresAt) } },
    });
  });
});
