import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import type { ControlItem } from './control-item.ts';
import { type RegisterOptions, readControls, registerVersions } from './control-store.ts';

/**
 * The control items of some rollups, read afresh (strongly consistent, one `BatchGetItem`) every time the
 * stream side asks, i.e. once per batch, after the batch's records were fetched; deployed definitions that are
 * missing from them are registered first.
 *
 * Why not a cache: the backfill's hand-off needs every shard to switch to a new version at one position and
 * stay switched (docs/backfill.md, "When the scan may start"). A strongly consistent read made after the
 * previous batch of the shard was applied sees at least what that batch's read saw, so successive batches of a
 * shard never go from folding a version back to not folding it, whichever process (another Lambda container, a
 * worker that took the lease over) applies them. A cache read before the version was registered could.
 *
 * @example
 * ```ts
 * const states = new VersionStates(client, 'aggregates', [storeV1.compiled, storeV2.compiled]);
 * const controls = await states.read(); // Map name → control item
 * ```
 */
export class VersionStates {
  private readonly byName = new Map<string, CompiledRollup[]>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    deployed: readonly CompiledRollup[],
    private readonly options: Omit<RegisterOptions, 'now'> & {
      clock?: () => number;
      /** `deployed` (default): register every deployed definition; `first`: only a rollup's first version. */
      register?: 'deployed' | 'first';
    } = {},
  ) {
    for (const c of deployed) this.byName.set(c.name, [...(this.byName.get(c.name) ?? []), c]);
  }

  /** The deployed definitions, grouped by rollup name (in the order given). */
  get deployed(): ReadonlyMap<string, readonly CompiledRollup[]> {
    return this.byName;
  }

  /** The control items as they are now, every deployed definition registered. */
  async read(): Promise<Map<string, ControlItem>> {
    const read = await readControls(this.client, this.table, [...this.byName.keys()]);
    const controls = new Map<string, ControlItem>();
    await Promise.all(
      [...this.byName].map(async ([name, list]) => {
        const control = read.get(name);
        const known = new Set(control?.versions.map((v) => v.fingerprint));
        // with `first`, a later definition waits for `registerVersions` (e.g. `runBackfill({ register: true })`)
        const first = this.options.register === 'first';
        const wanted = control === undefined && first ? list.slice(0, 1) : first ? [] : list;
        controls.set(
          name,
          control !== undefined && wanted.every((c) => known.has(c.fingerprint))
            ? control
            : await registerVersions(this.client, this.table, wanted, {
                ...(this.options.firstVersion ? { firstVersion: this.options.firstVersion } : {}),
                now: this.options.clock?.() ?? Date.now(),
              }),
        );
      }),
    );
    return controls;
  }
}
