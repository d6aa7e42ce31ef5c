// Filling Redis up to `maxmemory` under the documented `maxmemory-policy noeviction`, for the full-buffer tests.
import type { DynamoDBRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import type { BufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import type { BufferEnv } from './harness.ts';

/** Bytes Redis uses now (`INFO memory`). */
export const usedMemory = async (redis: Redis): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);

/**
 * Sets `noeviction` and a `maxmemory` of what Redis uses now plus `headroom` bytes, then applies batches of 1,000
 * records of new stores (`rec(store)`) until Redis refuses one (up to 50 batches), and returns the refusal's
 * message (undefined when none was refused). Redis checks the limit only before a script's first write, so the last
 * batch it took went past the limit.
 *
 * @example
 * ```ts
 * expect(await fillUntilRefused(env.redis, applier, rec, 256 * 1024)).toMatch(/OOM/);
 * ```
 */
export async function fillUntilRefused(
  redis: Redis,
  applier: BufferedApplier,
  rec: (store: string) => DynamoDBRecord,
  headroom: number,
): Promise<string | undefined> {
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  await redis.config('SET', 'maxmemory', String((await usedMemory(redis)) + headroom));
  let refused: string | undefined;
  for (let i = 0; i < 50 && refused === undefined; i++) {
    const batch = Array.from({ length: 1_000 }, (_, j) => rec(`store-${i}-${j}-${'x'.repeat(40)}`));
    await applier.apply({ records: batch, shardId: 's-1' }).catch((e: unknown) => {
      refused = isDynotallyError(e) ? e.message : String(e);
    });
  }
  return refused;
}

/** Lifts the `maxmemory` limit again (for `useBufferEnv({ beforeClose })`); failures are ignored. */
export const liftMaxmemory = (env: BufferEnv): Promise<unknown> =>
  env.redis.config('SET', 'maxmemory', '0').catch(() => {});
