import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RollupLike } from '../apply/index.ts';
import { claimsMayHaveExpired } from '../backfill/claim-lifetime.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import type { ControlItem } from '../versions/control-item.ts';
import { isUnfinished, readControls } from '../versions/control-store.ts';

/** The `details.refusal` of the error {@link checkBufferedVersions} throws ({@link isBufferedVersionRefusal}). */
const REFUSAL = 'buffered-versions';

/**
 * What the Redis buffer does about a rollup's other versions (it writes version-1 rows only): `refuse` (default)
 * refuses a batch as soon as another version serves or is being built; `written-elsewhere` says another process
 * writes them (a versioned write side on its own stream consumer, e.g. the dev stack's change-a-rollup demo), so the
 * buffer keeps writing version 1 beside them. Either way version 1 registered with another definition, or version 1
 * itself under backfill (`building` or `ready`, or `serving` promoted by force before its backfill ended: it needs
 * the claims the buffer does not take), is refused.
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, otherVersions: 'written-elsewhere' satisfies OtherVersionsPolicy });
 * ```
 */
export type OtherVersionsPolicy = 'refuse' | 'written-elsewhere';

/**
 * Why the Redis buffer (which writes a rollup's version-1 rows only, with no claims) must not write `rollup`, given
 * its control item, or `undefined` when it may: no control item (nothing was ever registered: the rows are version
 * 1's), or version 1 serving with the given definition and no other version being built (`building` or `ready`).
 * Another version serving, none serving yet (version 1 itself under backfill), version 1 serving before its backfill
 * ended (promoted by force: its backfill completes it in place, through claims, within 28 days of its registration),
 * one being built beside version 1, or
 * version 1 registered with another definition (the definition changed) are problems: the buffer would write the
 * wrong rows, or miss the rows of the version that serves or is about to. With `otherVersions: 'written-elsewhere'`
 * only version 1's own problems count (another definition, or under backfill): see {@link OtherVersionsPolicy}.
 *
 * @example
 * ```ts
 * bufferedVersionProblem(storeMetrics, control); // "rollup 'store' serves version 2, and the Redis buffer writes version 1 only"
 * ```
 */
export function bufferedVersionProblem(
  rollup: RollupLike,
  control: ControlItem | undefined,
  otherVersions: OtherVersionsPolicy = 'refuse',
  /** The time the rule is applied at (a forced version 1 is built in place only within its claims' lifetime). */
  now: number = Date.now(),
): string | undefined {
  if (control === undefined) return undefined;
  const compiled = 'compiled' in rollup ? rollup.compiled : rollup;
  const name = compiled.name;
  const v1 = control.versions.find((v) => v.version === 1);
  if (v1 !== undefined && v1.fingerprint !== compiled.fingerprint)
    return `the given definition of rollup '${name}' is not the one version 1 was registered with (it changed), and the Redis buffer writes version 1 only`;
  // promoted by force before its backfill ended: its backfill builds it in place (isUnfinished), through the claims
  // the buffer does not take, so an item changed before the scan reached it would be counted with its change twice
  // (review s40z). Not once the backfill would be refused (28 days after the registration: checkClaimLifetime)
  if (v1?.state === 'serving' && isUnfinished(v1) && !claimsMayHaveExpired(v1.registeredAt, now))
    return `version 1 of rollup '${name}' serves before its backfill ended (promoted by force), and its records go through the claims of that backfill (which completes it in place: dynotally backfill ${name} --resume) until it records its end`;
  if (otherVersions === 'written-elsewhere') {
    if (v1?.state === 'building' || v1?.state === 'ready')
      return `version 1 of rollup '${name}' is being built (a backfill, which needs claims the Redis buffer does not take)`;
    return undefined;
  }
  if (control.serving !== 1)
    return `rollup '${name}' ${control.serving === undefined ? 'has no serving version yet' : `serves version ${control.serving}`}, and the Redis buffer writes version 1 only`;
  const building = control.versions.filter(
    (v) => v.version !== 1 && (v.state === 'building' || v.state === 'ready'),
  );
  if (building.length > 0)
    return `version ${building.map((v) => v.version).join(', ')} of rollup '${name}' is being built, and the Redis buffer writes version 1 only`;
  return undefined;
}

/**
 * Where the Redis buffer writes and what: the aggregate table (the control items) and the rollups.
 *
 * @example
 * ```ts
 * const target: BufferedVersionsTarget = { client, table: 'aggregates', rollups: [storeMetrics] };
 * ```
 */
export interface BufferedVersionsTarget {
  client: DynamoDBClient;
  /** The aggregate table, which holds the rollups' control items. */
  table: string;
  rollups: readonly RollupLike[];
  /** Default `refuse`: see {@link OtherVersionsPolicy}. */
  otherVersions?: OtherVersionsPolicy | undefined;
  /**
   * The clock the rules are applied at (a force-promoted unfinished version 1 is refused within 28 days of its
   * registration); default `Date.now`. The buffered applier passes its own `now` (review s41r).
   */
  now?: (() => number) | undefined;
}

/**
 * Refuses the Redis buffer for rollups whose control items say that version-1 rows of the given definitions are not
 * all there is to write ({@link bufferedVersionProblem}): one strongly consistent `BatchGetItem` for every rollup's
 * control item (`readControls`), read afresh each call. `createBufferedApplier` calls it before every batch, before
 * anything of the batch is written; a process may also call it before it starts reading a stream.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the rollup (`details`: `rollup`, `serving`, `problem`, the
 *   rule's sentence, and `refusal: 'buffered-versions'`, which {@link isBufferedVersionRefusal} tests), and what to
 *   run instead: the versioned write side (`createVersionedWriteSide`, direct mode), which writes every version.
 * @example
 * ```ts
 * await checkBufferedVersions({ client, table: 'aggregates', rollups: [storeMetrics] });
 * ```
 */
export async function checkBufferedVersions(target: BufferedVersionsTarget): Promise<void> {
  const compiled = target.rollups.map((r) => ('compiled' in r ? r.compiled : r));
  const controls = await readControls(
    target.client,
    target.table,
    compiled.map((c) => c.name),
  );
  const now = target.now?.() ?? Date.now();
  for (const c of compiled) {
    const control = controls.get(c.name);
    const problem = bufferedVersionProblem(c, control, target.otherVersions, now);
    if (problem !== undefined)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${problem}: the batch is refused before anything is written (the stream delivers it again); write rollup '${c.name}' through createVersionedWriteSide (direct mode, which writes every version and claims for one under backfill) instead of the Redis buffer, see dynotally rollups status ${c.name}`,
        { details: { rollup: c.name, serving: control?.serving, problem, refusal: REFUSAL } },
      );
  }
}

/**
 * Whether `e` is the refusal of {@link checkBufferedVersions} (a `CONFIG_INVALID` whose `details.refusal` is
 * `'buffered-versions'`), e.g. to stop a stream worker that buffers instead of retrying the batch for as long as the
 * version stays.
 *
 * @example
 * ```ts
 * try { await applier.apply(input); } catch (e) { if (isBufferedVersionRefusal(e)) await worker.stop(); throw e; }
 * ```
 */
export function isBufferedVersionRefusal(e: unknown): e is DynotallyError {
  return isDynotallyError(e, 'CONFIG_INVALID') && e.details.refusal === REFUSAL;
}
