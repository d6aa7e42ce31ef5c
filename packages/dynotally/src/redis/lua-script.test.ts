// LuaScript's fallbacks, against a stand-in that answers like Redis: NOSCRIPT on a fresh server, and a compile
// error for a shebang of script flags on Redis before 7.0 (which then gets the script without that line).
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ALLOW_OOM, LuaScript } from './lua-script.ts';

function fakeRedis(flags: boolean) {
  const sent: string[] = [];
  const redis = {
    evalsha: async () => {
      throw new Error('NOSCRIPT No matching script. Please use EVAL.');
    },
    eval: async (source: string) => {
      sent.push(source);
      if (!flags && source.startsWith('#!'))
        throw new Error(
          "ERR Error compiling script (new function): user_script:1: unexpected symbol near '#'",
        );
      return 'ran';
    },
  };
  return { redis: redis as unknown as Redis, sent };
}

describe('LuaScript', () => {
  it('sends the script with its flags to a server that knows them', async () => {
    const script = new LuaScript(`${ALLOW_OOM}return 1`);
    const { redis, sent } = fakeRedis(true);
    expect(await script.run(redis, [], [])).toBe('ran');
    expect(sent).toEqual([`${ALLOW_OOM}return 1`]);
  });

  it('drops the shebang for a server without script flags (Redis 6)', async () => {
    const script = new LuaScript(`${ALLOW_OOM}return 1`);
    const { redis, sent } = fakeRedis(false);
    expect(await script.run(redis, [], [])).toBe('ran');
    expect(sent).toEqual([`${ALLOW_OOM}return 1`, 'return 1']);
    await script.run(redis, [], []); // remembered: the plain script at once
    expect(sent).toEqual([`${ALLOW_OOM}return 1`, 'return 1', 'return 1']);
  });

  it('keeps any other error', async () => {
    const script = new LuaScript(`${ALLOW_OOM}return 1`);
    const { redis } = fakeRedis(false);
    const broken = { ...redis, eval: async () => Promise.reject(new Error('ERR boom')) };
    await expect(script.run(broken as unknown as Redis, [], [])).rejects.toThrow('ERR boom');
  });
});
