import type { ApplyReport, WorkerStats } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { statsLine } from './worker.ts';

const applied = (poison: number) => ({ poison }) as ApplyReport;
const stats = (s: Partial<WorkerStats>): WorkerStats =>
  ({
    records: 9,
    recordsPerSecond: 0,
    iteratorAgeMs: 0,
    leasesHeld: 1,
    workers: 1,
    deadLettered: 0,
    errors: 0,
    failingShards: 0,
    failedAttempts: 0,
    apply: applied(0),
    ...s,
  }) as WorkerStats;

describe('statsLine', () => {
  it('counts the records the handler dead-lettered (poison), not only those the worker skipped', () => {
    // the guide's worker wrote two VALUE_INVALID letters (a string total, an ISO time without offset) and its
    // progress line kept saying "dead letters 0"
    expect(statsLine(stats({ apply: applied(2) }))).toContain('dead letters 2 ·');
    expect(statsLine(stats({ deadLettered: 1, apply: applied(2) }))).toContain('dead letters 3 ·');
  });

  it('says when failing shards are waiting for Redis (review s40u)', () => {
    const failing = {
      attempts: 4,
      records: 25,
      lastError: 'x',
      backoffMs: 100,
      stage: 'handler' as const,
      since: 0,
    };
    const line = statsLine(
      stats({
        failingShards: 2,
        failedAttempts: 7,
        lastError: 's1: DynotallyError [REDIS_UNAVAILABLE]: Redis failed to run the write script',
        shards: [{ failing: { ...failing, waiting: 'redis' } }, { failing }] as WorkerStats['shards'],
      }),
    );
    expect(line).toContain('FAILING 2 shards (1 waiting for Redis), 7 failed attempts');
    expect(statsLine(stats({ failingShards: 1, shards: [{ failing }] as WorkerStats['shards'] }))).toContain(
      'FAILING 1 shard, 0 failed attempts',
    );
  });
});
