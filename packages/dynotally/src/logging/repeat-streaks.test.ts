// repeatStreaks: the one rule behind the Lambda handler's log of waited-out failures (handler/failure-log.ts, one
// streak per shard) and the dev stack's failure lines (dynotally-cli dev/repeated-lines.ts, a streak per kind).
// Break-check: with `oneKindAtATime` ignored (kinds kept side by side), the first test's third REDIS_UNAVAILABLE is
// `nothing` instead of `first`; with `unsaid` not reset after a line, the second test's counts are wrong.
import { describe, expect, it } from 'vitest';
import { repeatStreaks } from './repeat-streaks.ts';

const setup = (oneKindAtATime: boolean) => {
  let t = 1_000_000;
  const streaks = repeatStreaks({
    kindOf: (e) => (typeof e === 'string' && e !== 'once' ? e : undefined),
    oneKindAtATime,
    everyMs: 60_000,
    now: () => t,
  });
  return { streaks, advance: (ms: number) => (t += ms), at: () => t };
};

describe('repeatStreaks', () => {
  it('one kind at a time: another kind replaces the streak, a failure of no kind ends it unsaid', () => {
    const { streaks } = setup(true);
    expect(streaks.failed('shard', 'REDIS_UNAVAILABLE').say).toBe('first');
    expect(streaks.failed('shard', 'REDIS_UNAVAILABLE').say).toBe('nothing');
    expect(streaks.failed('shard', 'REDIS_NOT_REPLICATED').say).toBe('first');
    expect(streaks.failed('shard', 'REDIS_UNAVAILABLE').say).toBe('first');
    expect(streaks.failed('shard', 'once').say).toBe('alone');
    expect(streaks.succeeded('shard')).toBeUndefined();
    expect(streaks.failed('shard', 'REDIS_UNAVAILABLE').say).toBe('first');
    expect(streaks.succeeded('shard')?.kinds).toEqual(['REDIS_UNAVAILABLE']);
  });

  it('a streak per kind: each kind said at once, repeats once a minute with the counts, one recovery for all', () => {
    const { streaks, advance, at } = setup(false);
    const since = at();
    expect(streaks.failed('s0', 'ECONNREFUSED')).toEqual({
      say: 'first',
      streak: { kind: 'ECONNREFUSED', since, failures: 1, unsaid: 0 },
    });
    for (let i = 0; i < 9; i++) {
      advance(1_000);
      expect(streaks.failed('s0', 'ECONNREFUSED').say).toBe('nothing');
    }
    expect(streaks.failed('s0', 'ValidationException').say).toBe('first');
    expect(streaks.failed('s1', 'ECONNREFUSED').say).toBe('first');
    advance(60_000);
    expect(streaks.failed('s0', 'ECONNREFUSED')).toEqual({
      say: 'again',
      streak: { kind: 'ECONNREFUSED', since, failures: 11, unsaid: 10 },
    });
    advance(60_000);
    expect(streaks.failed('s0', 'ECONNREFUSED')).toMatchObject({
      say: 'again',
      streak: { failures: 12, unsaid: 1 },
    });
    expect(streaks.failing('s0')).toBe(true);
    expect(streaks.succeeded('s0')).toEqual({
      kinds: ['ECONNREFUSED', 'ValidationException'],
      failures: 13,
      since,
    });
    expect(streaks.succeeded('s0')).toBeUndefined();
    expect(streaks.failing('s1')).toBe(true);
  });
});
