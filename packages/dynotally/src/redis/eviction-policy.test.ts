import { describe, expect, it } from 'vitest';
import { evictionSettings } from './eviction-policy.ts';

describe('evictionSettings', () => {
  it('reads maxmemory and the policy from INFO memory, and says undefined where the reply does not', () => {
    const info =
      '# Memory\r\nused_memory:1000\r\nmaxmemory:1048576\r\nmaxmemory_human:1.00M\r\nmaxmemory_policy:volatile-lru\r\n';
    expect(evictionSettings(info)).toEqual({ maxmemory: 1_048_576, policy: 'volatile-lru' });
    expect(evictionSettings('maxmemory:0\nmaxmemory_policy:allkeys-lfu\n')).toEqual({
      maxmemory: 0,
      policy: 'allkeys-lfu',
    });
    expect(evictionSettings('used_memory:1\r\n')).toEqual({ maxmemory: undefined, policy: undefined });
  });
});
