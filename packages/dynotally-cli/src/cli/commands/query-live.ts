import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { DynotallyError, type LiveSource } from 'dynotally';
import { z } from 'zod';
import { connectRedis, LOCAL_REDIS_READ_TIMEOUT_MS, loadRedisBuffer, redisUrlFlag } from '../config/redis.ts';
import type { Settings } from '../config/settings.ts';
import type { CliContext } from '../context.ts';
import { durationFlag } from '../flags.ts';
import { DEFAULT_KEY_TTL } from './key-ttl-flag.ts';

const liveFlagsSchema = z.object({
  redis: redisUrlFlag.optional(),
  keyPrefix: z.string().min(1, 'give the buffer key prefix, e.g. dynotally:{buffer}:').optional(),
  keyTtl: durationFlag.optional(),
});

/**
 * The `--redis`, `--key-prefix` and `--key-ttl` flags of the query commands: merge a Redis write buffer's
 * unflushed buckets. `--key-ttl` is the buffer's key expiry: a read that finds no buffer epoch in Redis creates one
 * with it, so it must be the appliers' and the flusher's.
 *
 * @example
 * ```ts
 * addLiveOptions(program.command('total')); // dynotally query total store … --redis redis://127.0.0.1:6379
 * ```
 */
export function addLiveOptions(cmd: Command, env: NodeJS.ProcessEnv = process.env): Command {
  return cmd
    .option(
      '--redis <url>',
      'merge the unflushed buckets of this Redis write buffer into the answer, as the dashboard does (default DYNOTALLY_REDIS_URL)',
      env.DYNOTALLY_REDIS_URL || undefined,
    )
    .option('--key-prefix <p>', "with --redis: the buffer's key prefix (default dynotally:{buffer}:)")
    .option(
      '--key-ttl <d>',
      `with --redis: the buffer's key expiry, as its appliers and flusher have it (default ${DEFAULT_KEY_TTL})`,
    );
}

/** A live source over a connected Redis, and how to let it go. */
export interface CliLiveSource {
  liveSource: LiveSource;
  /**
   * Checks, claiming and writing nothing, that the Redis is the aggregate table's buffer (`verifyTableBuffer`):
   * `CONFIG_INVALID` when the table names another key prefix or another buffer id.
   */
  verify(client: DynamoDBClient, table: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * With `--redis`, the Redis buffer's live source (`createRedisLiveSource` over the configured rollups), the one
 * the dev stack's dashboard merges into its reads; without it, `undefined`. `--key-prefix` without `--redis`
 * is a usage error.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a bad URL, a stray `--key-prefix` or a missing ioredis;
 * `REDIS_UNAVAILABLE` when Redis cannot be reached.
 * @example
 * ```ts
 * const live = await cliLiveSource(ctx, cmd, settings);
 * const query = createQueryClient({ client, table, rollups, ...(live ? { liveSource: live.liveSource } : {}) });
 * ```
 */
export async function cliLiveSource(
  ctx: CliContext,
  cmd: Command,
  settings: Pick<Settings, 'rollups'>,
): Promise<CliLiveSource | undefined> {
  const flags = ctx.flags(cmd, liveFlagsSchema);
  if (flags.redis === undefined) {
    const stray =
      flags.keyPrefix !== undefined ? '--key-prefix' : flags.keyTtl !== undefined ? '--key-ttl' : undefined;
    if (stray !== undefined)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${cmd.name()}: ${stray} only applies with --redis <url> (or DYNOTALLY_REDIS_URL): add it, or drop ${stray}`,
      );
    return undefined;
  }
  const { Redis, buffer } = await loadRedisBuffer(`dynotally ${cmd.name()} --redis`);
  const redis = await connectRedis(Redis, flags.redis, { persistent: false });
  return {
    liveSource: buffer.createRedisLiveSource({
      redis,
      rollups: settings.rollups,
      redisTimeoutMs: LOCAL_REDIS_READ_TIMEOUT_MS,
      ...(flags.keyPrefix === undefined ? {} : { keyPrefix: flags.keyPrefix }),
      ...(flags.keyTtl === undefined ? {} : { keyTtlMs: flags.keyTtl }),
    }),
    verify: (client, table) =>
      buffer.verifyTableBuffer({
        client,
        table,
        redis,
        prefix: flags.keyPrefix ?? buffer.DEFAULT_KEY_PREFIX,
        redisTimeoutMs: LOCAL_REDIS_READ_TIMEOUT_MS,
      }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
