import { DynotallyError, isDynotallyError } from 'dynotally';
import type { RedisBufferModules } from '../config/redis.ts';

/**
 * The Redis buffer's default key expiry as `--key-ttl` shows it: the library's `DEFAULT_KEY_TTL_MS` (7 days; a test
 * keeps the two equal). Without `--key-ttl` the CLI passes no `keyTtlMs`, so the library's default applies.
 */
export const DEFAULT_KEY_TTL = '7d';

/** What a buffer key must outlive, as a flag and its value (ms): `['--bucket', 900_000]`. */
export type KeySpanFlag = readonly [what: string, ms: number];

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * A duration as a flag takes it, in the largest unit up to days that holds it exactly (`604800000` → `7d`, `90000`
 * → `90s`); milliseconds when no unit does.
 *
 * @example
 * ```ts
 * durationText(900_000); // '15m'
 * ```
 */
export function durationText(ms: number): string {
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms} ms`;
}

/**
 * Checks the buffer's key expiry — `--key-ttl` (`keyTtlMs`), or the library's default when it is not given —
 * against what the command's keys must outlive, by the library's own rule (`bucketKeysOptions`: the sum of `spans`
 * plus 24 hours), before anything connects. The library refuses a too-short `keyTtlMs` when a part is built; this
 * says the same in the command's terms: the flags, the least value, and a `--key-ttl` to give.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming `--key-ttl`, `details: { flag, keyTtlMs, leastMs }`.
 * @example
 * ```ts
 * checkKeyTtl(buffer, 'flush', undefined, [['--bucket', 7 * 86_400_000], ['--grace', 10_000]]);
 * // throws: flush: --bucket 7d + --grace 10s need a longer key expiry than the default --key-ttl 7d: … give --key-ttl 9d or more
 * ```
 */
export function checkKeyTtl(
  buffer: Pick<RedisBufferModules['buffer'], 'bucketKeysOptions' | 'DEFAULT_KEY_TTL_MS'>,
  command: string,
  keyTtlMs: number | undefined,
  spans: readonly KeySpanFlag[],
): void {
  const ms = spans.reduce((sum, [, v]) => sum + v, 0);
  const named = spans.map(([what, v]) => `${what} ${durationText(v)}`).join(' + ');
  try {
    buffer.bucketKeysOptions(keyTtlMs === undefined ? {} : { keyTtlMs }, { ms, what: named });
  } catch (e) {
    const least = isDynotallyError(e, 'CONFIG_INVALID') ? e.details?.leastMs : undefined;
    if (typeof least !== 'number') throw e;
    const ttl = keyTtlMs ?? buffer.DEFAULT_KEY_TTL_MS;
    const days = Math.ceil(least / 86_400_000);
    const what =
      keyTtlMs === undefined
        ? `${named} ${spans.length === 1 ? 'needs' : 'need'} a longer key expiry than the default --key-ttl ${DEFAULT_KEY_TTL}`
        : `--key-ttl ${durationText(keyTtlMs)} is too short for ${named}`;
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${command}: ${what}: every buffered key must outlive its bucket until the flusher reaches it, and a shard's watermark a redelivery of its last batch (DynamoDB Streams keep records 24 hours), so keys must live at least ${named} + 24h = ${least} ms: give --key-ttl ${days}d or more`,
      { details: { flag: '--key-ttl', keyTtlMs: ttl, leastMs: least }, cause: e },
    );
  }
}
