// Session 19: the dashboard's state cache is bounded in time and size (review s19-dash-state-cache).
import { describe, expect, it } from 'vitest';
import { StateCache } from './state-cache.ts';

describe('StateCache', () => {
  it('serves a key within the window, rebuilds it after, and forgets stale keys', async () => {
    const cache = new StateCache<number>({ windowMs: 300, maxKeys: 4 });
    let builds = 0;
    const build = async () => ++builds;
    expect(await cache.get('a', 1_000, build)).toBe(1);
    expect(await cache.get('a', 1_299, build)).toBe(1);
    expect(await cache.get('a', 1_300, build)).toBe(2);
    await cache.get('b', 1_300, build);
    expect(cache.size).toBe(2);
    await cache.get('c', 2_000, build); // a and b are stale: swept
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxKeys, the oldest out, and drops a failed build', async () => {
    const cache = new StateCache<string>({ windowMs: 300, maxKeys: 3 });
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) await cache.get(k, 0, async () => k);
    expect(cache.size).toBe(3);
    expect(await cache.get('k5', 0, async () => 'rebuilt')).toBe('k5');
    expect(await cache.get('k1', 0, async () => 'rebuilt')).toBe('rebuilt');
    await expect(cache.get('bad', 0, async () => Promise.reject(new Error('read failed')))).rejects.toThrow();
    expect(await cache.get('bad', 0, async () => 'ok')).toBe('ok');
  });
});
