import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import { HISTORY_CACHE_MS, historyKey, historyOfItem, type RetentionHistory } from '../retention/index.ts';
import { sendRead } from './fetch.ts';

interface Cached {
  readonly history: RetentionHistory | undefined;
  readonly readAt: number;
}

/**
 * A query client's copies of its rollups' retention histories (`~ret#<rollup>` items): read with one
 * `GetItem` when a call needs one, reused for {@link HISTORY_CACHE_MS} (why that is safe: there). Read for every
 * rollup, one kept forever too: its rows may have been written under a finite retention (lengthened to forever,
 * or shortened from it by other writers; review s20b). No item (rollups whose writers predate the history, or
 * that were only ever kept forever) is `undefined`: the definition's retention alone decides, as before.
 *
 * @example
 * ```ts
 * const cache = new HistoryCache(client, 'aggregates');
 * await cache.load(jobs.compiled);
 * cache.get(jobs.compiled); // the history, or undefined
 * ```
 */
export class HistoryCache {
  private readonly cached = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The history last read for `c` (`undefined`: none read, or no item). */
  get(c: CompiledRollup): RetentionHistory | undefined {
    return this.cached.get(c.name)?.history;
  }

  /**
   * Reads `c`'s history unless a copy younger than {@link HISTORY_CACHE_MS} is at hand. True when it read an
   * item (a call planned before should be planned again with it).
   */
  async load(c: CompiledRollup): Promise<boolean> {
    const at = this.clock();
    const hit = this.cached.get(c.name);
    if (hit !== undefined && at - hit.readAt < HISTORY_CACHE_MS && at >= hit.readAt) return false;
    let p = this.inFlight.get(c.name);
    if (p === undefined) {
      p = this.read(c.name, at).finally(() => this.inFlight.delete(c.name));
      this.inFlight.set(c.name, p);
    }
    await p;
    return this.get(c) !== undefined;
  }

  private async read(rollup: string, at: number): Promise<void> {
    const out = await sendRead(
      () => this.client.send(new GetItemCommand({ TableName: this.table, Key: historyKey(rollup) })),
      'GetItem',
      this.table,
    );
    this.cached.set(rollup, { history: historyOfItem(out.Item), readAt: at });
  }
}
