import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { startRedisServer } from './redis-server.ts';

describe('startRedisServer', () => {
  it('starts a loopback redis-server with persistence off, and stops it', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      await client.connect();
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await client.incrby('n', 41)).toBe(41);
      expect(await client.incr('n')).toBe(42);
      const [, save] = (await client.config('GET', 'save')) as [string, string];
      const [, aof] = (await client.config('GET', 'appendonly')) as [string, string];
      expect(save).toBe('');
      expect(aof).toBe('no');
    } finally {
      client.disconnect();
      await server.stop();
      await server.stop();
    }
    const probe = new Redis(server.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });

  it('runs two servers side by side on different ports', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()]);
    expect(a.port).not.toBe(b.port);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('says how to install redis-server when it is missing', async () => {
    const error = await startRedisServer({ command: 'redis-server-not-installed-here' }).catch(
      (e: unknown) => e,
    );
    expect(isDynotallyError(error, 'LOCAL_START_FAILED')).toBe(true);
    expect(String((error as Error).message)).toContain('apt-get install -y redis-server');
  });
});
