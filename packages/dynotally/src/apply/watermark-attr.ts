import { createHash } from 'node:crypto';

const cache = new Map<string, string>();

/**
 * The row attribute holding a shard's watermark: `w_` + 12 hex digits of SHA-256 of the shard identity
 * (stream ARN + shard id), short to keep rows small, wide enough that shards never collide on a row.
 *
 * @example
 * ```ts
 * watermarkAttr('arn:aws:dynamodb:…/stream/…', 'shardId-00000001-abc'); // 'w_5d41402abc4b'
 * ```
 */
export function watermarkAttr(source: string, shardId: string): string {
  const id = `${source}|${shardId}`;
  let attr = cache.get(id);
  if (attr === undefined) {
    attr = `w_${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
    if (cache.size > 10_000) cache.clear();
    cache.set(id, attr);
  }
  return attr;
}

/**
 * A watermark value: `<40-digit sequence>|<epoch seconds>`. As a string it compares with a bare 40-digit
 * sequence number exactly like the sequence it starts with, and the time lets stale shards be pruned.
 *
 * @example
 * ```ts
 * watermarkValue('0000…0042', 1763800000123); // '0000…0042|1763800000'
 * ```
 */
export function watermarkValue(seq: string, approxMs: number): string {
  return `${seq}|${Math.floor((Number.isFinite(approxMs) ? approxMs : Date.now()) / 1000)}`;
}

/**
 * Splits a stored watermark value.
 *
 * @example
 * ```ts
 * parseWatermark('0000…0042|1763800000'); // { seq: '0000…0042', epochSeconds: 1763800000 }
 * ```
 */
export function parseWatermark(value: string): { seq: string; epochSeconds: number } {
  const bar = value.indexOf('|');
  return bar === -1
    ? { seq: value, epochSeconds: 0 }
    : { seq: value.slice(0, bar), epochSeconds: Number(value.slice(bar + 1)) };
}
