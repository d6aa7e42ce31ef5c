// A flush chunk's stored-value hints in one go: the flusher hands `updateStoredHints` every cell of up to 200 groups'
// rows (4 script arguments a cell), so a bucket of wide rows — hour rows packing 60 minutes of several measures, say —
// reaches tens of thousands of cells. The script call used to spread them into `evalsha(sha, n, ...keys, ...args)`:
// past about 130,000 arguments (fewer deeper in the stack) V8 throws "Maximum call stack size exceeded", wrapped as
// `REDIS_UNAVAILABLE`, on every retry of that bucket — a flush stuck for good (seen once in a full run, in
// s26r-script-kill's large bucket). Now `LuaScript.run` hands ioredis one array (it flattens it; nothing is spread
// onto the stack) and the hints go to Redis in calls of a bounded number of cells, so no one script runs long.
import { describe, expect, it } from 'vitest';
import { LuaScript } from '../../packages/dynotally/src/redis/lua-script.ts';
import { updateStoredHints } from '../../packages/dynotally/src/redis/stored-hints.ts';
import { useRedis } from '../support/use-redis.ts';

describe('updateStoredHints with a very large flush chunk', () => {
  const redis = useRedis();
  const prefix = `hm${process.pid}:{b}:`;

  it('records every wide value of 60,000 cells (240,000 script arguments)', {
    timeout: 120_000,
  }, async () => {
    const marker = '001795352460000';
    const rows = Array.from({ length: 600 }, (_, g) => ({
      pk: `amounts#s${g}`,
      sk: 'H2026-11-22T13',
      marker,
      // 100 cells a row; every 50th is wide (a hint), the rest narrow (no hint key: only looked at)
      values: Array.from({ length: 100 }, (_, c) => [`total_${c}`, c % 50 === 0 ? '1e20' : '12.5'] as const),
    }));
    const calls = async () =>
      Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis().info('commandstats'))?.[1] ?? 0);
    const before = await calls();
    await updateStoredHints(redis(), prefix, rows, 3_600_000, 60_000);
    expect((await calls()) - before).toBe(30); // 2,000 cells a call
    expect(await redis().hget(`${prefix}h:amounts#s0`, 'H2026-11-22T13|total_0')).toBe('1e20');
    expect(await redis().hget(`${prefix}h:amounts#s599`, 'H2026-11-22T13|total_50')).toBe('1e20');
    expect(await redis().hget(`${prefix}h:amounts#s599`, 'H2026-11-22T13|total_51')).toBeNull();
    expect(await redis().hlen(`${prefix}h:amounts#s300`)).toBe(2);
  });

  it('a script takes 200,000 arguments', async () => {
    const count = new LuaScript('return #ARGV');
    expect(await count.run(redis(), [], new Array<string>(200_000).fill('x'))).toBe(200_000);
  });
});
