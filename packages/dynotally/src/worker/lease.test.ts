import { describe, expect, it } from 'vitest';
import { leaseKey, parseLeaseItem } from './lease.ts';
import {
  createLeaseParams,
  openLatestParams,
  releaseLeaseParams,
  renewLeaseParams,
  startAtHorizonParams,
  takeLeaseParams,
} from './lease-params.ts';
import { presenceParams } from './presence-params.ts';

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

describe('lease holder with an instance token', () => {
  const holder = { workerId: 'w1', instance: 'i-1' };

  it('is recorded by a take and checked with the owner by every write of the holder', () => {
    const item = createLeaseParams('leases', { streamArn: arn, shardId: 's1', startAt: 'TRIM_HORIZON' }, 7)
      .Item!;
    const seen = parseLeaseItem(item);
    if (seen?.kind !== 'shard') throw new Error('not a lease');
    const take = takeLeaseParams('leases', seen.lease, holder, 10, 1_000);
    expect(take.UpdateExpression).toContain('#inst = :inst');
    expect(take.ExpressionAttributeValues?.[':inst']).toEqual({ S: 'i-1' });
    for (const p of [
      renewLeaseParams('leases', arn, 's1', holder, 10, 1_000),
      releaseLeaseParams('leases', arn, 's1', holder, 10),
      openLatestParams('leases', arn, 's1', holder, 10),
    ]) {
      expect(p.ConditionExpression).toBe('#owner = :me AND #inst = :inst');
      expect(p.ExpressionAttributeNames?.['#inst']).toBe('ownerInstance');
      expect(p.ExpressionAttributeValues?.[':me']).toEqual({ S: 'w1' });
    }
    // a plain worker id takes without an instance, removing an earlier holder's
    expect(takeLeaseParams('leases', seen.lease, 'w1', 10, 1_000).UpdateExpression).toContain(
      'REMOVE #ttl, #inst',
    );
    const held = parseLeaseItem({ ...item, owner: { S: 'w1' }, ownerInstance: { S: 'i-1' } });
    expect(held?.kind === 'shard' && held.lease.ownerInstance).toBe('i-1');
  });

  it('is written in the presence item', () => {
    const presence = parseLeaseItem(presenceParams('leases', arn, holder, 10, 1_000).Item!);
    expect(presence?.kind === 'worker' && presence.presence.instance).toBe('i-1');
  });
});

describe("lease holder's duration (durationMs)", () => {
  const base = createLeaseParams('leases', { streamArn: arn, shardId: 's1', startAt: 'TRIM_HORIZON' }, 7)
    .Item!;
  const duration = (extra: Record<string, { N: string } | { S: string }>) => {
    const parsed = parseLeaseItem({ ...base, ...extra });
    return parsed?.kind === 'shard' ? parsed.lease.durationMs : 'not a lease';
  };

  it('is what take and renew write (leaseMs), or expiresAt − updatedAt from a holder of an earlier version', () => {
    expect(
      takeLeaseParams('leases', { ...parseLease(base) }, 'w1', 10, 9_000).ExpressionAttributeValues,
    ).toMatchObject({
      ':dur': { N: '9000' },
    });
    expect(renewLeaseParams('leases', arn, 's1', 'w1', 10, 9_000).ExpressionAttributeValues).toMatchObject({
      ':dur': { N: '9000' },
    });
    const owner = { S: 'w1' };
    expect(
      duration({ owner, leaseMs: { N: '9000' }, expiresAt: { N: '5000' }, updatedAt: { N: '1000' } }),
    ).toBe(9_000);
    // an earlier version's holder: no leaseMs (or a newer holder's, left in place), its expiry less its write time
    expect(duration({ owner, expiresAt: { N: '61000' }, updatedAt: { N: '1000' } })).toBe(60_000);
    expect(
      duration({ owner, leaseMs: { N: '9000' }, expiresAt: { N: '61000' }, updatedAt: { N: '1000' } }),
    ).toBe(60_000);
    expect(duration({ leaseMs: { N: '9000' } })).toBeUndefined(); // released: nobody holds it
  });
});

function parseLease(item: Parameters<typeof parseLeaseItem>[0]) {
  const parsed = parseLeaseItem(item);
  if (parsed?.kind !== 'shard') throw new Error('not a lease');
  return parsed.lease;
}
