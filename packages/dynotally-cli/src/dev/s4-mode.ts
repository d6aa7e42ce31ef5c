import { DynotallyError } from 'dynotally';
import { findRedisServer } from 'dynotally/local';
import { type BufferedS4Options, bufferedS4 } from './buffered-s4.ts';
import { directS4, type S4Wiring } from './s4-wiring.ts';

/**
 * How the dev stack runs S4: `auto` (default) buffered in Redis when `redis-server` is installed, else direct;
 * `buffered` insists on Redis; `direct` writes straight to DynamoDB.
 *
 * @example
 * ```ts
 * const mode: S4Mode = 'buffered'; // dynotally dev --s4 buffered
 * ```
 */
export type S4Mode = 'auto' | 'direct' | 'buffered';

/**
 * The modes {@link S4Mode} allows, for flags and validation.
 *
 * @example
 * ```ts
 * S4_MODES.includes('auto'); // true
 * ```
 */
export const S4_MODES = ['auto', 'direct', 'buffered'] as const;

/**
 * S4 direct because `redis-server` is not installed (what `auto` falls back to): says so in its one line.
 *
 * @example
 * ```ts
 * directWithoutRedis.describe; // 'direct (redis-server not installed: apt-get install redis-server for the buffered mode)'
 * ```
 */
export const directWithoutRedis: S4Wiring = {
  describe: 'direct (redis-server not installed: apt-get install redis-server for the buffered mode)',
  mode: 'direct',
};

/**
 * The S4 wiring for a mode: `bufferedS4` when the mode asks for it and `redis-server` is on `PATH`;
 * {@link directWithoutRedis} for `auto` without it; `directS4` for `direct`. Starts nothing.
 *
 * @throws {DynotallyError} `LOCAL_START_FAILED` for `buffered` without `redis-server`, with how to install it.
 *
 * @example
 * ```ts
 * const s4 = s4WiringFor('auto'); // buffered here, direct on a machine without redis-server
 * await startDevStack({ s4 });
 * ```
 */
export function s4WiringFor(
  mode: S4Mode,
  options: BufferedS4Options & { env?: NodeJS.ProcessEnv } = {},
): S4Wiring {
  if (mode === 'direct') return directS4;
  const { env, ...buffered } = options;
  const installed = options.redisCommand ?? findRedisServer(env);
  if (installed !== undefined) return bufferedS4(buffered);
  if (mode === 'auto') return directWithoutRedis;
  throw new DynotallyError(
    'LOCAL_START_FAILED',
    "S4 buffered mode needs redis-server, which is not installed: run 'apt-get install -y redis-server' (Debian/Ubuntu) or 'brew install redis' (macOS), or start with --s4 direct",
    { details: { command: 'redis-server', reason: 'missing' } },
  );
}
