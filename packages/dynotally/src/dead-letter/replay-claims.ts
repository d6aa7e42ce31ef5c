import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { CLAIM_DEADLINE_MS, type CLAIM_TTL_MS, claimsMayHaveExpired } from '../backfill/claim-lifetime.ts';
import { claimRecords } from '../backfill/claim-records.ts';
import { DynotallyError } from '../errors/index.ts';
import { claimPrefix } from '../versions/claim-scope.ts';
import { bindClaimTable, claimTableRefused } from '../versions/claim-table-binding.ts';
import { claimWindow } from '../versions/claim-window.ts';
import type { VersionEntry } from '../versions/control-item.ts';
import type { ReplayTarget } from './replay-targets.ts';

/**
 * How a replay reaches the claims of versions under backfill: the stream side's claim table and claim margin,
 * the claims' expiry, and the versions this replay already bound to the table.
 *
 * @example
 * ```ts
 * const claims: ReplayClaims = { client, aggregateTable: 'aggregates', table: 'dynotally-claims', marginMs: 300_000, ttlSeconds, now: Date.now(), bound: new Set() };
 * ```
 */
export interface ReplayClaims {
  readonly client: DynamoDBClient;
  /** The aggregate table (control items). */
  readonly aggregateTable: string;
  readonly table: string | undefined;
  readonly marginMs: number;
  readonly ttlSeconds: number;
  /** The replay's clock (ms): past a version's claims' lifetime, an item without a claim is refused. */
  readonly now: number;
  readonly bound: Set<string>;
}

/**
 * The records each version folds for one dead letter's record, as the stream side decides them: the record itself
 * for a version that counts in full (no backfill, or the record past its claim window), and for a version under
 * backfill the record the item's claim decides (`claimRecords`: skipped when the backfill's scan already counted its
 * change or a later record of the item was counted live; only its new image when the item was never counted
 * before), writing the claim as the stream side would. Decisions depend only on the stored claim, and a claim the
 * replay wrote gives the same decision again, so a replay interrupted before its transaction and run again folds
 * the same records and cuts the same chunks. A version built by a backfill and registered after the letter was
 * written folds nothing: the record precedes it (no stream side would have folded the record into it), and its
 * scan reads the item as the record left it.
 *
 * Claims live {@link CLAIM_TTL_MS} from their write, and none of a version is written before its registration: a
 * replay later than {@link CLAIM_DEADLINE_MS} after it may find the item's claim expired, where deciding the record
 * as the item's first would count it wrongly (a MODIFY whose old image the scan counted would add its new image
 * beside it). Such a letter is refused when the claim is missing (review s30b); a claim still stored decides as
 * ever.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when a version needs the claims and no claim table was given, or the
 *   version is bound to another claim table; `RECORD_MALFORMED` for a record without keys or sequence number;
 *   `DEAD_LETTER_NOT_REPLAYABLE` when the item's claim is missing past the version's claims' lifetime.
 * @example
 * ```ts
 * for (const { target, records } of await versionRecords(targets, record, letter.at, claims)) foldBatch([target.compiled], records);
 * ```
 */
export async function versionRecords(
  targets: readonly ReplayTarget[],
  record: DynamoDBRecord,
  letterAt: number,
  claims: ReplayClaims,
): Promise<Array<{ target: ReplayTarget; records: DynamoDBRecord[] }>> {
  const out: Array<{ target: ReplayTarget; records: DynamoDBRecord[] }> = [];
  for (const target of targets) {
    // a version its backfill builds, registered after the record was dead-lettered: no stream side folded (or
    // would fold) the record into it, and its scan, which starts after the registration, reads the item as the
    // record (and every record before it) left it
    if (target.entry?.needsBackfill === true && letterAt > 0 && target.entry.registeredAt > letterAt) {
      out.push({ target, records: [] });
      continue;
    }
    const window =
      target.entry === undefined ? undefined : claimWindow(target.entry, claims.marginMs, [record]);
    if (target.entry === undefined || window === undefined) {
      out.push({ target, records: [record] });
      continue;
    }
    const claimTable = await boundTable(target, target.entry.version, claims);
    const entry = target.entry;
    const records = await claimRecords(
      claims.client,
      claimTable,
      {
        prefix: claimPrefix(target.compiled.name, entry.claimScope),
        reads: target.compiled.reads,
        windowEndMs: window.windowEndMs,
      },
      [record],
      {
        ttlSeconds: claims.ttlSeconds,
        ...(claimsMayHaveExpired(entry.registeredAt, claims.now)
          ? { missingClaim: (pk: string) => expiredClaim(target.rollup, entry, pk, claims.now) }
          : {}),
      },
    );
    out.push({ target, records });
  }
  return out;
}

/** The claim table of a version under backfill, bound to it as the stream side binds it (`bindClaimTable`). */
async function boundTable(target: ReplayTarget, version: number, claims: ReplayClaims): Promise<string> {
  const bound = target.entry?.claimTable;
  if (claims.table === undefined)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `version ${version} of rollup '${target.rollup}' is being built by a backfill, and a record replayed into it must go through the per-item claims the stream side writes: give replayDeadLetters claimTable (${bound === undefined ? "the stream side's" : `'${bound}'`})`,
      { details: { rollup: target.rollup, version, option: 'claimTable', claimTable: bound } },
    );
  if (bound !== undefined && bound !== claims.table)
    throw claimTableRefused(target.rollup, version, bound, claims.table);
  const key = `${target.rollup}\u0000${version}`;
  if (bound === undefined && !claims.bound.has(key)) {
    await bindClaimTable(
      claims.client,
      claims.aggregateTable,
      target.rollup,
      version,
      claims.table,
      target.entry?.claimScope,
    );
    claims.bound.add(key);
  }
  return claims.table;
}

/**
 * The refusal of a letter whose record a version decides through the item's claim, replayed when that claim may
 * have expired (past {@link CLAIM_DEADLINE_MS} after the version's registration) and found missing.
 */
function expiredClaim(rollup: string, entry: VersionEntry, pk: string, now: number): DynotallyError {
  const days = Math.floor((now - entry.registeredAt) / 86_400_000);
  return new DynotallyError(
    'DEAD_LETTER_NOT_REPLAYABLE',
    `the record was made while version ${entry.version} of rollup '${rollup}' was being built, so it counts there as the item's claim decides, and no claim of the item is stored: it may have expired (claims expire 30 days after they are written, and the version was registered ${days} days ago). Decided without it, the record could count twice (its old image may be in what the backfill counted). Rebuild the rollup as a new version (dynotally verify ${rollup} --repair), whose scan counts the item as it is now, then drop this letter`,
    { details: { rollup, version: entry.version, claim: pk, registeredAt: entry.registeredAt } },
  );
}
