// `--key-ttl`: its shown default is the library's, and a too-short expiry is refused in the command's terms.
import { isDynotallyError, parseDuration } from 'dynotally';
import * as buffer from 'dynotally/redis';
import { describe, expect, it } from 'vitest';
import { checkKeyTtl, DEFAULT_KEY_TTL, durationText } from './key-ttl-flag.ts';

const DAY = 86_400_000;
const refusal = (keyTtlMs: number | undefined, spans: Parameters<typeof checkKeyTtl>[3]) => {
  try {
    checkKeyTtl(buffer, 'flush', keyTtlMs, spans);
    return undefined;
  } catch (e) {
    return e;
  }
};

describe('--key-ttl', () => {
  it("shows the library's default", () => {
    expect(parseDuration(DEFAULT_KEY_TTL)).toBe(buffer.DEFAULT_KEY_TTL_MS);
  });

  it('writes durations as flags take them', () => {
    expect([7 * DAY, 900_000, 90_000, 10_000, 1_500].map(durationText)).toEqual([
      '7d',
      '15m',
      '90s',
      '10s',
      '1500 ms',
    ]);
  });

  it("takes the library's rule: the spans plus 24 hours, no less", () => {
    expect(
      refusal(undefined, [
        ['--bucket', 6 * DAY - 10_000],
        ['--grace', 10_000],
      ]),
    ).toBeUndefined();
    expect(refusal(2 * DAY, [['--bucket', DAY]])).toBeUndefined();
    const e = refusal(2 * DAY - 1, [['--bucket', DAY]]);
    expect(isDynotallyError(e, 'CONFIG_INVALID') && e.details).toEqual({
      flag: '--key-ttl',
      keyTtlMs: 2 * DAY - 1,
      leastMs: 2 * DAY,
    });
    expect((e as Error).message).toMatch(/give --key-ttl 2d or more$/);
  });

  it('names the default when --key-ttl was not given, and rounds the advice up to whole days', () => {
    const e = refusal(undefined, [
      ['--bucket', 6 * DAY],
      ['--grace', 10_000],
    ]);
    expect((e as Error).message).toBe(
      "flush: --bucket 6d + --grace 10s need a longer key expiry than the default --key-ttl 7d: every buffered key must outlive its bucket until the flusher reaches it, and a shard's watermark a redelivery of its last batch (DynamoDB Streams keep records 24 hours), so keys must live at least --bucket 6d + --grace 10s + 24h = 604810000 ms: give --key-ttl 8d or more",
    );
    expect(isDynotallyError(e) && e.details.keyTtlMs).toBe(buffer.DEFAULT_KEY_TTL_MS);
  });
});
