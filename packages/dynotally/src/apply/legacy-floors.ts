import type { LegacyWatermarkItem } from './shard-watermark.ts';

/** Shards remembered at most: past this the memory starts again (a shard forgotten costs one read). */
const LIMIT = 10_000;

/**
 * The `transaction` strategy's migration floor per shard: the legacy `~wm#` item an earlier release moved with
 * every transaction (`afterLegacyWatermark`). Nothing writes that item any more, so once a shard's item is read as
 * absent, or as expired (its `ttl` passed: every record at or below it is older than anything the stream can still
 * deliver), it can never leave a record out again, and this applier stops reading it for that shard: before, every
 * batch of every shard paid a consistent `GetItem` for it, forever. An item still live is read for every batch,
 * as before (a batch the old code half applied, redelivered to this code, leaves out what it committed).
 * Process memory, bounded; a fresh process reads each shard's item once.
 *
 * @example
 * ```ts
 * const floor = await floors.floor(source, shardId, now, () => readLegacyWatermarkItem(client, table, source, shardId));
 * const rest = afterLegacyWatermark(records, floor);
 * ```
 */
export class LegacyFloors {
  private readonly spent = new Set<string>();

  /** The shard's floor (undefined: none), reading its item unless it is known to matter no more. */
  async floor(
    source: string,
    shardId: string,
    nowMs: number,
    read: () => Promise<LegacyWatermarkItem | undefined>,
  ): Promise<string | undefined> {
    const key = `${source}\u0000${shardId}`;
    if (this.spent.has(key)) return undefined;
    const item = await read();
    if (item === undefined || (item.expiresAt !== undefined && item.expiresAt * 1000 <= nowMs)) {
      if (this.spent.size >= LIMIT) this.spent.clear();
      this.spent.add(key);
    }
    return item?.seq;
  }
}
