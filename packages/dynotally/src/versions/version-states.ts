import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import type { ControlItem } from './control-item.ts';
import { type RegisterOptions, registerVersions } from './control-store.ts';

/**
 * The control items of some rollups, read (and the deployed definitions registered) at most once every
 * `refreshMs`, so the stream side pays one `GetItem` per rollup per refresh, not per batch.
 *
 * @example
 * ```ts
 * const states = new VersionStates(client, 'aggregates', [storeV1.compiled, storeV2.compiled], { refreshMs: 10_000 });
 * const controls = await states.get(); // Map name → control item
 * ```
 */
export class VersionStates {
  private readonly byName = new Map<string, CompiledRollup[]>();
  private loaded: { at: number; controls: Map<string, ControlItem> } | undefined;
  private loading: Promise<Map<string, ControlItem>> | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    deployed: readonly CompiledRollup[],
    private readonly options: Omit<RegisterOptions, 'now'> & {
      refreshMs?: number;
      clock?: () => number;
    } = {},
  ) {
    for (const c of deployed) this.byName.set(c.name, [...(this.byName.get(c.name) ?? []), c]);
  }

  /** The deployed definitions, grouped by rollup name (in the order given). */
  get deployed(): ReadonlyMap<string, readonly CompiledRollup[]> {
    return this.byName;
  }

  /** The control items, refreshed when older than `refreshMs` (default 10 s). */
  async get(): Promise<Map<string, ControlItem>> {
    const now = this.options.clock?.() ?? Date.now();
    if (this.loaded !== undefined && now - this.loaded.at < (this.options.refreshMs ?? 10_000))
      return this.loaded.controls;
    this.loading ??= this.load(now).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Forgets what was read, so the next {@link get} reads again. */
  invalidate(): void {
    this.loaded = undefined;
  }

  private async load(now: number): Promise<Map<string, ControlItem>> {
    const controls = new Map<string, ControlItem>();
    await Promise.all(
      [...this.byName].map(async ([name, list]) => {
        controls.set(
          name,
          await registerVersions(this.client, this.table, list, {
            ...(this.options.firstVersion ? { firstVersion: this.options.firstVersion } : {}),
            now,
          }),
        );
      }),
    );
    this.loaded = { at: now, controls };
    return controls;
  }
}
