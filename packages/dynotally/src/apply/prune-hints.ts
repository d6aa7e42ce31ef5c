import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseWatermark } from './watermark-attr.ts';

/** A shard watermark is stale once its shard has not written the row for longer than stream retention allows. */
export const STALE_WATERMARK_SECONDS = 48 * 3600;
const LIMIT = 10_000;

/**
 * Remembers, per row, the watermark attributes of shards that have not written it for 48 hours (twice the
 * stream's 24-hour retention, so they can never redeliver), learnt from `ALL_OLD` answers on a sample of
 * writes; the next write of that row drops them, each only if unchanged. Bounded.
 *
 * @example
 * ```ts
 * hints.learn(key, out.Attributes, ownAttr, Date.now());
 * const prune = hints.take(key); // [{ attr: 'w_…', value: '…|1763600000' }]
 * ```
 */
export class PruneHints {
  private readonly byRow = new Map<string, Array<{ attr: string; value: string }>>();

  learn(
    rowKey: string,
    item: Record<string, AttributeValue> | undefined,
    ownAttr: string,
    nowMs: number,
  ): void {
    if (item === undefined) return;
    const stale: Array<{ attr: string; value: string }> = [];
    for (const attr in item) {
      if (!attr.startsWith('w_') || attr === ownAttr) continue;
      const value = item[attr]?.S;
      if (value === undefined) continue;
      if (nowMs / 1000 - parseWatermark(value).epochSeconds > STALE_WATERMARK_SECONDS)
        stale.push({ attr, value });
    }
    if (stale.length === 0) return;
    if (this.byRow.size >= LIMIT) this.byRow.clear();
    this.byRow.set(rowKey, stale);
  }

  /** True when the row has stale watermarks to drop on its next write. */
  has(rowKey: string): boolean {
    return this.byRow.has(rowKey);
  }

  take(rowKey: string): Array<{ attr: string; value: string }> | undefined {
    const hint = this.byRow.get(rowKey);
    if (hint !== undefined) this.byRow.delete(rowKey);
    return hint;
  }
}
