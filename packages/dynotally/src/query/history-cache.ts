import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import { HISTORY_CACHE_MS, historyKey, historyOfItem, type RetentionHistory } from '../retention/index.ts';
import { type ControlItem, controlKey, parseControl } from '../versions/control-item.ts';
import { sendRead } from './fetch.ts';

interface Cached {
  readonly history: RetentionHistory | undefined;
  /** The control item, when it was read with the history (`null`: not read). */
  readonly control: ControlItem | undefined | null;
  readonly readAt: number;
}

/**
 * A query client's copies of its rollups' retention histories (`~ret#<rollup>` items): read with one
 * `GetItem` when a call needs one, reused for {@link HISTORY_CACHE_MS} (why that is safe: there). Read for every
 * rollup, one kept forever too: its rows may have been written under a finite retention (lengthened to forever,
 * or shortened from it by other writers; review s20b). No item (rollups whose writers predate the history, or
 * that were only ever kept forever) is `undefined`: the definition's retention alone decides, as before.
 * Asked to, it reads the rollup's control item (`~ctl#<rollup>`, versions) beside it, as often: a plain query
 * client checks that the version-1 rows it reads are the serving version's (`plain-read-refusal.ts`).
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

  /** The control item read with `c`'s history (`undefined`: none, or not read). */
  control(c: CompiledRollup): ControlItem | undefined {
    return this.cached.get(c.name)?.control ?? undefined;
  }

  /**
   * Reads `c`'s history (and, with `control`, its control item) unless a copy younger than
   * {@link HISTORY_CACHE_MS} is at hand. True when it read a history item (a call planned before should be
   * planned again with it).
   */
  async load(c: CompiledRollup, control = false): Promise<boolean> {
    const at = this.clock();
    const hit = this.cached.get(c.name);
    const fresh = hit !== undefined && at - hit.readAt < HISTORY_CACHE_MS && at >= hit.readAt;
    if (fresh && (!control || hit.control !== null)) return false;
    const key = control ? `${c.name}\u0000control` : c.name;
    let p = this.inFlight.get(key);
    if (p === undefined) {
      p = this.read(c.name, at, control).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    await p;
    return this.get(c) !== undefined;
  }

  private async read(rollup: string, at: number, control: boolean): Promise<void> {
    const get = (Key: ReturnType<typeof historyKey>) =>
      sendRead(
        () => this.client.send(new GetItemCommand({ TableName: this.table, Key })),
        'GetItem',
        this.table,
      );
    const [history, ctl] = await Promise.all([
      get(historyKey(rollup)),
      control ? get(controlKey(rollup)) : undefined,
    ]);
    this.cached.set(rollup, {
      history: historyOfItem(history.Item),
      control: ctl === undefined ? null : parseControl(rollup, ctl.Item),
      readAt: at,
    });
  }
}
