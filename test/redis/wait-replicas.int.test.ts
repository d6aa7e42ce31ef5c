// `waitReplicas`' WAIT against a real replica: it covers every write Redis took, by any client, also when the
// connection that waits has only read (a redelivered batch found buffered, a flush of buckets others wrote).
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { confirmReplicas } from '../../packages/dynotally/src/redis/index.ts';
import { liftMaxmemory } from './full-redis.ts';
import { linkedReplica } from './linked-replica.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const env = useBufferEnv({ beforeClose: liftMaxmemory });
// a WAIT expected to fail gives up after 300 ms; one expected to succeed may take long on a loaded machine (a replica
// still syncing, a scheduler that runs it late): the CI run at load once saw 0 acknowledged within 300 ms
const wait = { min: 1, timeoutMs: 300 };
const waitOk = { min: 1, timeoutMs: 15_000 };

describe('confirmReplicas', () => {
  it('waits for writes another client made, on a connection that only read; a replica that stops acknowledging fails it', async () => {
    const replica = await linkedReplica(env.server.port);
    const reader = new Redis(env.server.url);
    const confirm = (w = waitOk) => confirmReplicas(reader, 'wr:{t}:', 60_000, w, 2_000, 'test');
    try {
      expect(await reader.get('wr:{t}:x')).toBe(null); // this connection has written nothing
      await confirm();
      process.kill(replica.pid, 'SIGSTOP'); // its link stays up; it acknowledges nothing more
      try {
        await env.redis.set('wr:{t}:x', '1'); // a write by another client, which the replica never takes
        // a bare WAIT here would answer 1 at once: this connection's own last write is acknowledged already
        await expect(confirm(wait)).rejects.toMatchObject({
          code: 'REDIS_NOT_REPLICATED',
          details: { acknowledged: 0, min: 1 },
        });
      } finally {
        process.kill(replica.pid, 'SIGCONT');
      }
      await confirm(); // caught up
    } finally {
      reader.disconnect();
      await replica.stop();
    }
  });

  it('waits also when Redis is full (noeviction over maxmemory): the flusher frees memory and must get its wait', async () => {
    const replica = await linkedReplica(env.server.port);
    try {
      await env.redis.config('SET', 'maxmemory-policy', 'noeviction');
      await env.redis.config('SET', 'maxmemory', '1');
      await expect(env.redis.set('wr:{t}:y', '1')).rejects.toThrow(/OOM/);
      await confirmReplicas(env.redis, 'wr:{t}:', 60_000, waitOk, 2_000, 'test');
    } finally {
      await env.redis.config('SET', 'maxmemory', '0');
      await replica.stop();
    }
  });

  it('a WAIT Redis refuses (on a replica) is REDIS_NOT_REPLICATED too, never REDIS_UNAVAILABLE', async () => {
    const replica = await linkedReplica(env.server.port);
    try {
      await expect(
        confirmReplicas(replica.client, 'wr:{t}:', 60_000, wait, 2_000, 'test'),
      ).rejects.toMatchObject({ code: 'REDIS_NOT_REPLICATED' });
    } finally {
      await replica.stop();
    }
  });
});
