import { ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import type { BackfillOptions, BackfillReport } from '../backfill/backfill-options.ts';
import { claimsMayHaveExpired } from '../backfill/claim-lifetime.ts';
import { checkExpiredHistory } from '../backfill/expired-history.ts';
import { runBackfill } from '../backfill/run-backfill.ts';
import { storeRefusedItems } from '../backfill/store-refused.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { claimPrefix } from '../versions/claim-scope.ts';
import { holdParams, registerVersionParams, retireUnservedParams } from '../versions/control-params.ts';
import { isUnfinished, promoteVersion, readControl, versionOf } from '../versions/control-store.ts';
import { rebuildFingerprint, versionsOfDefinition } from '../versions/rebuild.ts';
import { checkSourceTable } from '../versions/source-binding.ts';
import { asVersion } from '../versions/version-prefix.ts';

/**
 * Options of {@link repairRollup}: a backfill's options (without `version`, which the repair registers) and
 * whether to promote the rebuilt version when it is complete (default true).
 *
 * @example
 * ```ts
 * const options: RepairOptions = { client, source: 'orders', table: 'aggregates', claimTable: 'claims',
 *   rollup: storeMetrics, segments: 8 };
 * ```
 */
export type RepairOptions = Omit<BackfillOptions, 'version' | 'promote' | 'dryRun'> & {
  promote?: boolean | undefined;
  /**
   * Promote the rebuild over the serving version even when its backfill left items the store refused (a sum past
   * 38 digits in the scan's order, a row past 400 KB: `RepairReport.storeRefused`), which the rebuild lacks and the
   * serving version may count. Without it such a rebuild is left `ready`, not promoted (`held`).
   */
  acceptUncountable?: boolean | undefined;
};

/**
 * What {@link repairRollup} did.
 *
 * @example
 * ```ts
 * const { version, backfill } = await repairRollup(options);
 * console.log(`version ${version} complete: ${backfill?.complete ?? 'before this call (only promoted)'}`);
 * ```
 */
export interface RepairReport {
  /** The version built: a rebuild, or the definition's own version when it was unfinished. */
  version: number;
  /**
   * True when this call registered it as a rebuild (false: an unfinished version of the definition, its own or
   * a rebuild, was resumed or promoted).
   */
  registered: boolean;
  /** The version that served before. */
  previous: number | undefined;
  /**
   * True when the serving version itself was unfinished (promoted by force before its backfill ended, within its 28
   * days) and this call finished it in place, as `runBackfill` (`backfill --resume`) does: its backfill resumed, its
   * end recorded, nothing registered or promoted. Drift the unreached items caused is gone; verify again, and drift
   * that remains is repaired by a rebuild (the version is then complete).
   */
  finishedInPlace: boolean;
  /** True when the rebuild now serves. */
  promoted: boolean;
  /** The backfill's report (undefined when the version had completed before and was only promoted). */
  backfill: BackfillReport | undefined;
  /**
   * Items the rebuild's backfill (every run of it) could not count because the store refused them
   * (`NUMBER_UNREPRESENTABLE`, `ITEM_TOO_LARGE`; dead-lettered): the rebuild lacks them. 0 when it is not `ready`
   * here (still building, or promoted by another process meanwhile).
   */
  storeRefused: number;
  /**
   * True when the rebuild is complete (`ready`) but was not promoted because it lacks `storeRefused` items that the
   * serving version may count, and `acceptUncountable` was not given: the serving version is kept.
   */
  held: boolean;
  /**
   * The rebuild was complete and its promotion was tried, but `promoteVersion` refused it (`PROMOTE_REFUSED`): the
   * control item changed between this repair's read and its promotion — another version was promoted meanwhile
   * (`serving` says which), the rebuild was retired meanwhile, or another repair recorded a hold on it meanwhile
   * (then reported as `held` instead). `reason` is the refusal's message. Everything else in the report (the
   * backfill's rows) stands; undefined when the promotion was not refused. A repair's promotion is a rollback
   * (`rollback: true`), so an older definition than the serving one's is never the reason.
   */
  promoteRefused?: { reason: string; serving: number | undefined } | undefined;
}

/**
 * Repairs a rollup without touching the rows the stream writes: registers a new version of the same definition
 * (a rebuild, `building`), backfills it from the source while the stream side writes it too, and promotes it
 * when the backfill is complete; the drifted version is retired. An unfinished version of the definition that
 * does not serve is finished instead of registering a rebuild beside it (which would leave it written by the
 * stream side for good, never serving): the definition's own version (deployed, its backfill not ended, or ended
 * and never promoted), or a rebuild an earlier repair stopped before its end. Its backfill is resumed (with the
 * segment count it started with) or, when it is `ready`, it is only promoted; of several, a ready one is promoted,
 * else the newest is built, and the others are retired. The serving version of the definition, promoted by force
 * before its backfill ended (`promoteVersion({ force: true })`) and within its 28 days, is finished in place the
 * same way, as `runBackfill` does (`finishedInPlace`; its state stays serving): the drift its unreached items caused
 * goes, and a later repair rebuilds it if drift remains; a rebuild an earlier repair registered beside it is retired
 * then, unless one is `ready` (and not held, or `acceptUncountable`), which is promoted instead (no scan: review s41w). A version still `building` more than 28 days after its
 * registration can never complete (its backfill would be refused: `checkClaimLifetime`): it is retired and a new
 * rebuild is registered, promoted even when nothing served before. The stream side must run
 * `createVersionedWriteSide` with the definition and a claim table (it reads the control items for every
 * batch, so every batch it starts after the registration writes the rebuild; `settleMs` may then be 0, since
 * every process runs a definition that knows the rebuild).
 *
 * Two repairs of one rollup at once (or one beside a running backfill of it) build one version: the rebuild's
 * registration is conditional, so the later one finishes the earlier one's rebuild with it, over the segment
 * count the first recorded start gives (`runBackfill`); a version the other one built or promoted meanwhile is
 * promoted or reported serving, not built again.
 *
 * A complete rebuild that lacks items the store refused (a sum past 38 digits in the scan's order, which the
 * stream's order may not reach: `storeRefused`, over every run, as the backfill's end recorded it from the segments'
 * progress items, which expire 30 days after their last write) is not
 * promoted over another serving version unless `acceptUncountable`: it is left `ready`, reported `held`, and the
 * hold is recorded on its entry in the control item (`hold`), so `promoteVersion` refuses it unless forced and
 * `dynotally rollups status` shows it. A later repair finds it `ready` and holds it again (no new scan: it would
 * meet the same sums); `acceptUncountable` promotes it (forced), and retiring it lets the next repair rebuild.
 *
 * A rollup with `ttlDeletes: 'ignore'` keeps counting items DynamoDB's TTL deleted, which no scan sees: its
 * repair is refused unless `acceptExpiredHistoryLoss` (the rebuild would drop that history from reads for good).
 *
 * @throws {DynotallyError} `VERSION_UNKNOWN` for a definition never deployed; `BACKFILL_REFUSED` for a rollup
 *   with `ttlDeletes: 'ignore'` that a version serves, without `acceptExpiredHistoryLoss` (nothing registered);
 *   the errors of `runBackfill` (`BACKFILL_REFUSED` when given other `segments` than a concurrent build of the
 *   version started with). A promotion `promoteVersion` refuses (the control item changed meanwhile) is not thrown:
 *   it is the report's `promoteRefused` (or `held`).
 * @example
 * ```ts
 * const report = await verify({ client, source: 'orders', table: 'aggregates', rollup: storeMetrics });
 * if (report.drift.length > 0)
 *   await repairRollup({ client, source: 'orders', table: 'aggregates', claimTable: 'claims',
 *     rollup: storeMetrics });
 * ```
 */
export async function repairRollup(options: RepairOptions): Promise<RepairReport> {
  const compiled: CompiledRollup = 'compiled' in options.rollup ? options.rollup.compiled : options.rollup;
  const { client, table } = options;
  let registered = false;
  let finishedInPlace = false;
  let target: number | undefined;
  let previous: number | undefined;
  for (let attempt = 0; attempt < 20 && target === undefined; attempt++) {
    const control = await readControl(client, table, compiled.name);
    versionOf(control, compiled.fingerprint, compiled.name);
    // before anything is registered: a rebuild of a rollup keeping TTL-deleted items would drop them
    checkExpiredHistory(compiled, control, options.acceptExpiredHistoryLoss === true);
    previous = control?.serving;
    const now = options.now?.() ?? Date.now();
    const unserved = versionsOfDefinition(control, compiled.fingerprint).filter(
      (v) => v.version !== control?.serving,
    );
    // a version of the definition still building 28 days after its registration can never complete (its claims
    // may expire): the definition's own version (deployed over existing data) or a rebuild. It is retired, else
    // the stream side would write it (its rows and claims) on every batch for good, and a new rebuild is
    // registered instead. The serving version is never retired here
    for (const v of unserved)
      if (v.state === 'building' && claimsMayHaveExpired(v.registeredAt, now))
        await retireUnserved(client, table, compiled.name, v.version, now);
    // an unfinished version of the definition (its own, deployed and not yet built or promoted, or a rebuild a
    // repair stopped before its end) is a build of this very definition: it is finished rather than a rebuild
    // registered beside it, which would leave it written for good, never serving. Of several (an earlier
    // dynotally's repair registered a rebuild beside the own version), a ready one is promoted, else the newest
    // (the most time left before its 28 days) is built; the others are retired
    // the serving version of the definition promoted by force before its backfill ended (within its 28 days) is
    // finished in place, as its backfill does (review s41b): a rebuild beside it would scan the whole source again
    // and retire it with its claims never settled. Past its 28 days its claims may have expired (an item's change
    // counted twice): it is rebuilt. A rebuild an earlier repair registered beside it (a dynotally before s41b, or
    // one stopped before its end) is retired, else the stream side writes it for good, never serving; one that is
    // ready (complete) is promoted instead, with no scan at all (review s41w)
    const servingEntry = versionsOfDefinition(control, compiled.fingerprint).find(
      (v) => v.version === control?.serving,
    );
    const unfinished = unserved.filter(
      (v) => v.state === 'ready' || (v.state === 'building' && !claimsMayHaveExpired(v.registeredAt, now)),
    );
    // (a ready one held for items the store refused is not promoted without acceptUncountable: the serving version
    // is finished in place then, and the held one kept as a hold leaves it)
    const promotable = (v: (typeof unserved)[number]) =>
      v.state === 'ready' && (v.hold === undefined || options.acceptUncountable === true);
    if (
      servingEntry !== undefined &&
      isUnfinished(servingEntry) &&
      !claimsMayHaveExpired(servingEntry.registeredAt, now) &&
      !unfinished.some(promotable)
    ) {
      for (const v of unfinished)
        if (v.state === 'building') await retireUnserved(client, table, compiled.name, v.version, now);
      target = servingEntry.version;
      finishedInPlace = true;
      break;
    }
    const chosen = unfinished.findLast((v) => v.state === 'ready') ?? unfinished[unfinished.length - 1];
    if (chosen !== undefined) {
      for (const v of unfinished)
        if (v.version !== chosen.version) await retireUnserved(client, table, compiled.name, v.version, now);
      target = chosen.version;
      break;
    }
    const next = control?.next ?? 1;
    try {
      await withRetry(() =>
        client.send(
          new UpdateItemCommand(
            registerVersionParams(table, compiled.name, {
              fingerprint: rebuildFingerprint(compiled.fingerprint, next),
              version: next,
              expectedNext: next,
              state: 'building',
              needsBackfill: true,
              now: options.now?.() ?? Date.now(),
            }),
          ),
        ),
      );
      target = next;
      registered = true;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
  if (target === undefined)
    throw new DynotallyError(
      'APPLY_FAILED',
      `could not register a rebuild of rollup '${compiled.name}': the control item kept changing (20 attempts)`,
      { details: { rollup: compiled.name } },
    );
  const promote = options.promote ?? true;
  const entry = (await readControl(client, table, compiled.name))?.versions.find((v) => v.version === target);
  // a version already `ready` (a crash between its backfill's end and its promotion, or a changed definition's
  // own version built and never promoted) is only promoted. A started backfill resumes with the segment count it
  // started with, whatever this repair is given: its progress is kept per count, and a scan over other segments
  // would apply again the chunks it applied (its claims read as this scan's own) and skip the items it claimed
  const started = entry?.backfill?.segments;
  let backfill: BackfillReport | undefined;
  if (entry?.state !== 'ready') {
    try {
      backfill = await runBackfill({
        ...options,
        ...(started === undefined ? {} : { segments: started }),
        version: target,
        promote: false,
      });
    } catch (e) {
      // another process (a second repair, or a backfill of the version) built it since it was read here, and
      // maybe promoted it: it is complete, nothing is left to build
      if (!isDynotallyError(e, 'BACKFILL_REFUSED')) throw e;
      const latest = (await readControl(client, table, compiled.name))?.versions.find(
        (v) => v.version === target,
      );
      if (latest === undefined || (latest.state !== 'ready' && latest.state !== 'serving')) throw e;
      // a serving version finished in place is complete only once its end is recorded
      if (finishedInPlace && isUnfinished(latest)) throw e;
    }
  }
  const after = await readControl(client, table, compiled.name);
  const built = after?.versions.find((v) => v.version === target);
  // a ready version this repair did not complete (only promoted, or completed by another process meanwhile) was
  // built from the table its first start bound: another one than this repair's is refused, not promoted over the
  // serving version (review s40z)
  if (built?.state === 'ready' && backfill?.complete !== true)
    await checkSourceTable(client, options.source, compiled.name, built);
  // a scanned item the store refused (a sum past 38 digits in the scan's order, which the stream's order may not
  // reach) is in no row of the rebuild: promoting it over a serving version that counts the item would replace an
  // exact version with one short of it, so that takes acceptUncountable. The backfill's end records the count (its
  // progress items expire 30 days after their last write: PROGRESS_TTL_MS); an end an earlier release recorded has
  // none, and the progress items are summed then. A recorded hold counts too
  const storeRefused =
    built?.state === 'ready'
      ? Math.max(
          built.hold?.storeRefused ?? 0,
          built.backfill?.storeRefused ??
            (built.backfill?.segments === undefined
              ? 0
              : await storeRefusedItems(
                  client,
                  options.claimTable,
                  claimPrefix(asVersion(compiled, target).name, built.claimScope),
                  built.backfill.segments,
                )),
        )
      : 0;
  const held =
    promote &&
    built?.state === 'ready' &&
    storeRefused > 0 &&
    options.acceptUncountable !== true &&
    after?.serving !== undefined &&
    after.serving !== target;
  // the hold is recorded on the version's entry: rollups status shows it, and promoteVersion refuses it unless
  // forced. A later repair finds the version ready and holds it again, without a new scan (see the docs)
  if (held && built.hold?.storeRefused !== storeRefused)
    await recordHold(client, table, compiled.name, target, storeRefused, options.now?.() ?? Date.now());
  let promoteRefused: RepairReport['promoteRefused'];
  let heldMeanwhile: number | undefined;
  if (promote && built?.state === 'ready' && !held)
    try {
      // a repair is the documented rollback: a rebuild of an older definition than the serving one is promoted on
      // purpose (the superseded refusal is for a stale backfill or promote, review s34x), a held one still is not
      await promoteVersion(client, table, compiled.name, target, {
        force: options.acceptUncountable === true,
        rollback: true,
      });
    } catch (e) {
      // the control item changed since it was read here (another promotion won, the rebuild was retired, another
      // repair held it): the rebuild stands, and the report says why it does not serve rather than losing the rest
      if (!isDynotallyError(e, 'PROMOTE_REFUSED')) throw e;
      if (e.details.held === true) heldMeanwhile = Number(e.details.storeRefused ?? 0);
      else promoteRefused = { reason: e.message, serving: undefined };
    }
  const serving = (await readControl(client, table, compiled.name))?.serving;
  if (promoteRefused !== undefined) promoteRefused.serving = serving;
  const promoted = serving === target;
  return {
    version: target,
    registered,
    previous,
    finishedInPlace,
    promoted,
    backfill,
    storeRefused: Math.max(storeRefused, heldMeanwhile ?? 0),
    held: held || heldMeanwhile !== undefined,
    ...(promoteRefused === undefined ? {} : { promoteRefused }),
  };
}

/** Records a repair's hold on a `ready` version (nothing when it is no longer ready: promoted or retired meanwhile). */
async function recordHold(
  client: RepairOptions['client'],
  table: string,
  rollup: string,
  version: number,
  storeRefused: number,
  now: number,
): Promise<void> {
  try {
    await withRetry(() =>
      client.send(new UpdateItemCommand(holdParams(table, rollup, { version, storeRefused, now }))),
    );
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}

/** Retires a `building` or `ready` version that does not serve (once: a version in another state is left as it is). */
async function retireUnserved(
  client: RepairOptions['client'],
  table: string,
  rollup: string,
  version: number,
  now: number,
): Promise<void> {
  try {
    await withRetry(() =>
      client.send(new UpdateItemCommand(retireUnservedParams(table, rollup, { version, now }))),
    );
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}
