import { describe, expect, it } from 'vitest';
import { leaseKey, parseLeaseItem } from './lease.ts';
import { createLeaseParams, openLatestParams, startAtHorizonParams } from './lease-params.ts';

const arn = 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-12-05T10:00:00.000';

describe('lease latestFrom', () => {
  it('is read when present and absent otherwise', () => {
    const item = createLeaseParams('leases', { streamArn: arn, shardId: 's1', startAt: 'LATEST' }, 7).Item!;
    const parsed = parseLeaseItem(item);
    expect(parsed?.kind === 'shard' && 'latestFrom' in parsed.lease).toBe(false);
    const opened = parseLeaseItem({ ...item, latestFrom: { N: '1765000000123' } });
    expect(opened?.kind === 'shard' && opened.lease.latestFrom).toBe(1765000000123);
  });

  it('is written by the holder only, and removed when the lease is pinned at TRIM_HORIZON', () => {
    const open = openLatestParams('leases', arn, 's1', 'w1', 42);
    expect(open.Key?.pk?.S).toBe(leaseKey(arn, 's1'));
    expect(open.ConditionExpression).toBe('#owner = :me');
    expect(open.UpdateExpression).toBe('SET #latest = :now, #upd = :now');
    expect(open.ExpressionAttributeValues?.[':now']).toEqual({ N: '42' });
    const pin = startAtHorizonParams('leases', arn, 's1', 'w1', 43);
    expect(pin.ConditionExpression).toBe('#owner = :me');
    // latestFrom stays: the skim may have stopped at an empty page short of the tip
    expect(pin.UpdateExpression).toBe('SET #start = :th, #upd = :now');
    expect(pin.ExpressionAttributeNames).toMatchObject({ '#start': 'startAt' });
  });
});
