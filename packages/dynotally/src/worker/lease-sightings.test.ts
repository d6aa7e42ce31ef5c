import { describe, expect, it } from 'vitest';
import type { ShardLease, WorkerPresence } from './lease.ts';
import { LeaseSightings } from './lease-sightings.ts';

const ARN = 'arn:aws:dynamodb:local:0:table/src/stream/1';
const lease = (shardId: string, counter: number): ShardLease => ({
  streamArn: ARN,
  shardId,
  owner: 'w1',
  expiresAt: 0,
  counter,
  startAt: 'TRIM_HORIZON',
  freeSince: 0,
});
const presence = (workerId: string, expiresAt: number): WorkerPresence => ({
  streamArn: ARN,
  workerId,
  expiresAt,
});

describe('LeaseSightings', () => {
  it('times how long each counter and presence stood still on its own clock, from its first sight', () => {
    let t = 5_000;
    const s = new LeaseSightings(() => t);
    expect(s.observe({ leases: [lease('a', 1)], workers: [presence('w1', 9)] })).toEqual({
      leases: new Map([['a', 0]]),
      workers: new Map([['w1', 0]]),
      watchedMs: 0,
    });
    t += 4_000;
    const later = s.observe({ leases: [lease('a', 1), lease('b', 0)], workers: [presence('w1', 10)] });
    expect(later.leases).toEqual(
      new Map([
        ['a', 4_000],
        ['b', 0],
      ]),
    );
    expect(later.workers).toEqual(new Map([['w1', 0]])); // its expiresAt moved: a heartbeat
    expect(later.watchedMs).toBe(4_000); // since its first scan
    t += 1_000;
    // a's counter moved: it starts again; b unseen is forgotten, and seen again starts from 0
    expect(s.observe({ leases: [lease('a', 2)], workers: [] }).leases).toEqual(new Map([['a', 0]]));
    t += 1_000;
    expect(s.observe({ leases: [lease('a', 2), lease('b', 0)], workers: [] }).leases).toEqual(
      new Map([
        ['a', 1_000],
        ['b', 0],
      ]),
    );
  });
});
