import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { claimTableRefused } from '../versions/claim-table-binding.ts';
import type { VersionEntry } from '../versions/control-item.ts';
import { isUnfinished } from '../versions/control-store.ts';
import { sourceTableRefused } from '../versions/source-binding.ts';
import { checkClaimLifetime } from './claim-lifetime.ts';

/**
 * What a backfill run is asked to do, as its refusals read it: the rollup's name, its version's entry in the control
 * item, the options' `segments` and `claimTable`, and the time it checks at.
 *
 * @example
 * ```ts
 * const run: RunAsked = { rollup: 'store', entry, segments: 8, claimTable: 'claims', now: Date.now() };
 * ```
 */
export interface RunAsked {
  rollup: string;
  entry: VersionEntry;
  segments?: number | undefined;
  claimTable: string;
  /**
   * The run promotes the version when it completes: a `ready` one (its backfill ended, the promotion did not follow:
   * a stop between the two) is then promoted, not refused.
   */
  promote?: boolean | undefined;
  /** The source table's ARN (undefined until `DescribeTable` answered: not checked then). */
  source?: string | undefined;
  now: number;
}

/**
 * The refusals a backfill run checks before it scans, in the order it meets them: `state` (only a building version
 * is backfilled), `segments` (a started backfill goes on with the count it recorded), `claimTable` (the version is
 * bound to one claim table: `bindClaimTable` binds it, and refuses another) and `claimLifetime` (its claims may
 * have expired: checked again before every chunk and before the end is recorded).
 *
 * @example
 * ```ts
 * for (const check of RUN_REFUSALS) console.log(check, refusalAt(check, run)?.code);
 * ```
 */
export const RUN_REFUSALS = ['state', 'segments', 'claimTable', 'source', 'claimLifetime'] as const;

/**
 * One of {@link RUN_REFUSALS}.
 *
 * @example
 * ```ts
 * const check: RunRefusal = 'segments';
 * ```
 */
export type RunRefusal = (typeof RUN_REFUSALS)[number];

/**
 * The refusal a backfill run meets at one check, else undefined: the real run throws it where it makes the check,
 * and a dry run reports the first of them ({@link refusalOf}), so the two cannot differ.
 *
 * @example
 * ```ts
 * const refused = refusalAt('segments', { rollup: 'store', entry, segments: 8, claimTable, now: Date.now() });
 * if (refused !== undefined) throw refused;
 * ```
 */
export function refusalAt(check: RunRefusal, run: RunAsked): DynotallyError | undefined {
  const { rollup, entry } = run;
  switch (check) {
    case 'state':
      // (a version promoted by force before its backfill ended is built in place: isUnfinished)
      return isUnfinished(entry) || (entry.state === 'ready' && run.promote === true)
        ? undefined
        : notBuilding(rollup, entry);
    case 'segments': {
      // progress is kept per segment count, and a claim names only its segment and chunk: a resume over another
      // count would take the first run's claims of its applied chunks as its own and apply them again
      const recorded = entry.backfill?.segments;
      return recorded !== undefined &&
        isUnfinished(entry) &&
        run.segments !== undefined &&
        run.segments !== recorded
        ? otherSegmentCount(rollup, entry.version, recorded, run.segments)
        : undefined;
    }
    case 'claimTable':
      // (a version that is not building is never scanned: a ready one asked to be promoted is only promoted)
      if (!isUnfinished(entry)) return undefined;
      return entry.claimTable !== undefined && entry.claimTable !== run.claimTable
        ? claimTableRefused(rollup, entry.version, entry.claimTable, run.claimTable)
        : undefined;
    case 'source': {
      // a started backfill scans the table it started on: another one's items would be counted beside its own
      const bound = entry.backfill?.source;
      // also a ready one this run would promote: built from another table, it is not this run's to promote (its
      // process was configured to build from another table, review s40z)
      if (!isUnfinished(entry) && !(entry.state === 'ready' && run.promote === true)) return undefined;
      return bound !== undefined && run.source !== undefined && bound !== run.source
        ? sourceTableRefused(rollup, entry.version, bound, run.source)
        : undefined;
    }
    case 'claimLifetime':
      if (!isUnfinished(entry)) return undefined;
      try {
        checkClaimLifetime({
          rollup,
          version: entry.version,
          registeredAt: entry.registeredAt,
          now: run.now,
        });
        return undefined;
      } catch (e) {
        if (isDynotallyError(e, 'BACKFILL_REFUSED')) return e;
        throw e;
      }
  }
}

/**
 * The first refusal a backfill run would meet before it scans ({@link RUN_REFUSALS}, in their order), else
 * undefined: what a dry run reports (`BackfillReport.refused`).
 *
 * @example
 * ```ts
 * const refused = refusalOf({ rollup: 'store', entry, segments: options.segments, claimTable, now: Date.now() });
 * ```
 */
export function refusalOf(run: RunAsked): DynotallyError | undefined {
  for (const check of RUN_REFUSALS) {
    const refused = refusalAt(check, run);
    if (refused !== undefined) return refused;
  }
  return undefined;
}

/**
 * Throws the refusal a backfill run meets at one check ({@link refusalAt}), if any.
 *
 * @throws {DynotallyError} the check's refusal.
 * @example
 * ```ts
 * throwRefusalAt('state', { rollup: 'store', entry, claimTable, now: Date.now() });
 * ```
 */
export function throwRefusalAt(check: RunRefusal, run: RunAsked): void {
  const refused = refusalAt(check, run);
  if (refused !== undefined) throw refused;
}

/**
 * The refusal of a backfill over a segment count other than the one its started backfill recorded.
 *
 * @example
 * ```ts
 * throw otherSegmentCount('store', 2, 8, 16);
 * ```
 */
export function otherSegmentCount(
  rollup: string,
  version: number,
  recorded: number,
  given: number,
): DynotallyError {
  return new DynotallyError(
    'BACKFILL_REFUSED',
    `the backfill of version ${version} of rollup '${rollup}' started with ${recorded} segments: resume it with ${recorded} (segments: ${recorded}, the CLI's --segments ${recorded}) or without a count. Over another count it would count the items of its applied chunks twice`,
    { details: { rollup, version, segments: recorded, given } },
  );
}

/** The refusal of a backfill of a version that is not building (ready, serving or retired). */
function notBuilding(rollup: string, entry: VersionEntry): DynotallyError {
  return new DynotallyError(
    'BACKFILL_REFUSED',
    `version ${entry.version} of rollup '${rollup}' is ${entry.state}: only a building version is backfilled${
      entry.state === 'ready'
        ? `; its backfill ended: promote it with dynotally rollups promote ${rollup} ${entry.version} (or run the backfill again with --promote, promote: true)`
        : entry.state === 'serving'
          ? ' (it serves reads already)'
          : ''
    }`,
    { details: { rollup, version: entry.version, state: entry.state } },
  );
}
