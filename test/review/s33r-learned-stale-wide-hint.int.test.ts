// Review s33r (helper-156; fixed by helper-158, the probe now passes): a group made known can get a stale wide hint from its read when a flush made the cell
// narrow between the read and the hints call.
//
// DEFECT: HINTS_SCRIPT (packages/dynotally/src/redis/scripts.ts, :442, the `learning` line: "a version whose hint is gone
// ... says nothing") discards the version a flusher recorded when it REMOVED a hint (its cell became narrow at a newer
// marker), so the learner's older read (the wide value, older marker) is recorded as the group's hint and the group
// is marked known with it. (With no h:<pk> key at the flush, nothing is recorded at all and the result is the same.)
// docs/redis-buffer.md "A group's hints known" covers only a newer WIDE hint ("its newer hint stands") and narrow onto
// narrow. Effect: while the group keeps being flushed (every flush renews h:<pk>), the write script takes the cell for
// wide, sums it with the stale 1e22 and refuses records that fit (NUMBER_UNREPRESENTABLE dead letters needing a
// replay) until a later flush of that very cell removes the hint.
// Suggested fix: when a group is being made known, drop a read value whose field has a version above the read's
// marker (a removal is newer information: keep `at` when hv:<pk> holds it, whether or not the hint is there; to
// cover an evicted h:<pk> keep versions in hv:<pk> set by removals too), or re-read the cell in the write script's
// `stored` path when its hint's version is older than the row's _fb.
import { describe, expect, it, vi } from 'vitest';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { HINTS_SCRIPT } from '../../packages/dynotally/src/redis/scripts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });
const env = useBufferEnv();

describe('s33r: learning a group while a flush makes its wide cell narrow', () => {
  it('leaves no hint for the cell DynamoDB now holds narrow', async () => {
    const prefix = `s33r-stale-${Date.now()}:`;
    const pk = 'money#sg';
    const ttl = String(7 * 86_400_000);
    const field = 'ALL|total';
    const m1 = '001795352400000'; // the row's flush marker when the applier's Query read it: 1e22 stored
    const m2 = '001795353300000'; // a later flush of the row: 1e22 + (-1e22 + 5) = 5 stored
    // an earlier flush recorded the wide hint (into a key without '*': the group's known field had expired)
    await HINTS_SCRIPT.run(env.redis, [], [prefix, ttl, '0', pk, field, '10000000000000000000000', m1]);
    // the applier reads the partition (sees 1e22 at m1); then the flusher writes 5 at m2 and removes the hint
    await HINTS_SCRIPT.run(env.redis, [], [prefix, ttl, '0', pk, field, '', m2]);
    expect(await env.redis.hget(bufferKeys(prefix).hints(pk), field)).toBeNull();
    // the applier records what it read, and the group as known (its read began after the hint at m1: its count, 1)
    await HINTS_SCRIPT.run(
      env.redis,
      [],
      [prefix, ttl, '1', pk, '1', pk, field, '10000000000000000000000', m1],
    );
    expect(await env.redis.hexists(bufferKeys(prefix).hints(pk), '*')).toBe(1);
    // DynamoDB holds 5 at m2: no hint should say 1e22 (fails: the read's older wide value stands)
    expect(await env.redis.hget(bufferKeys(prefix).hints(pk), field)).toBeNull();
  });

  it('leaves no hint when the flush found no hints key (the group not known, its keys gone)', async () => {
    const prefix = `s33r-stale-cold-${Date.now()}:`;
    const pk = 'money#sg';
    const ttl = String(7 * 86_400_000);
    const field = 'ALL|total';
    const m1 = '001795352400000';
    const m2 = '001795353300000';
    // the applier reads 1e22 at m1; then the flusher writes 5 at m2 and removes the hint from a group with no keys
    await HINTS_SCRIPT.run(env.redis, [], [prefix, ttl, '0', pk, field, '', m2]);
    expect(await env.redis.pttl(bufferKeys(prefix).hintVersions(pk))).toBeGreaterThan(0);
    // no hint was recorded in the group (no count) when the read began
    await HINTS_SCRIPT.run(
      env.redis,
      [],
      [prefix, ttl, '1', pk, '', pk, field, '10000000000000000000000', m1],
    );
    expect(await env.redis.hexists(bufferKeys(prefix).hints(pk), '*')).toBe(1);
    expect(await env.redis.hget(bufferKeys(prefix).hints(pk), field)).toBeNull();
  });
});
