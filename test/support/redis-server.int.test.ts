import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it("never loads a dump.rdb left in the system's temp directory, and removes its own directory", async () => {
    // a server that saved a key: its dump.rdb is what a replica's sync or a SAVE leaves behind
    const saver = await startRedisServer();
    const a = new Redis(saver.url, { maxRetriesPerRequest: 0 });
    await a.set('stray', '1');
    await a.save();
    const [, dir] = (await a.config('GET', 'dir')) as [string, string];
    const tmp = mkdtempSync(join(tmpdir(), 'redis-tmp-'));
    copyFileSync(join(dir, 'dump.rdb'), join(tmp, 'dump.rdb'));
    a.disconnect();
    await saver.stop();
    expect(existsSync(dir)).toBe(false);
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp; // the temp directory the next server would have used, with the stray dump.rdb in it
    try {
      const server = await startRedisServer();
      const b = new Redis(server.url, { maxRetriesPerRequest: 0 });
      try {
        const [, own] = (await b.config('GET', 'dir')) as [string, string];
        expect(own).not.toBe(tmp);
        expect(own.startsWith(tmp)).toBe(true);
        expect(await b.dbsize()).toBe(0); // the stray key was not loaded
      } finally {
        b.disconnect();
        await server.stop();
      }
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(tmp, { recursive: true, force: true });
    }
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
