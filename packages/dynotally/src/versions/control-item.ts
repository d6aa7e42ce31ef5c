import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Where a version is in its life: `building` (the stream writes it, a backfill builds its past), `ready` (the
 * backfill completed: it can serve), `serving` (reads use it), `retired` (replaced or abandoned: nothing writes
 * it, its rows may be deleted).
 */
export type VersionState = 'building' | 'ready' | 'serving' | 'retired';

/**
 * Backfill facts of a version, as the control item records them.
 *
 * @example
 * ```ts
 * if (v.backfill?.endedAt !== undefined) console.log('backfill ended at', new Date(v.backfill.endedAt));
 * ```
 */
export interface BackfillRecord {
  startedAt?: number | undefined;
  /** When the scan completed (ms): the stream consults claims for records up to this + the claim margin. */
  endedAt?: number | undefined;
  segments?: number | undefined;
  /**
   * Items the store refused over every run of the backfill (the segments' progress items summed when the end was
   * recorded), so that a later `repairRollup` needs no progress item once the backfill ended: those expire
   * (`PROGRESS_TTL_MS`). Undefined before the end, and in an end an earlier release recorded.
   */
  storeRefused?: number | undefined;
  /**
   * The ARN of the source table the backfill scans, recorded with its first start (`bindSourceTable`): every process
   * that builds the version (a resume, `onlySegments` on other machines, a repair finishing it) must scan that table.
   * Undefined for a start an earlier release recorded, until a process of this release binds it.
   */
  source?: string | undefined;
}

/**
 * Deletion of a retired version's rows, as the control item records it: where the paced scan of the aggregate
 * table is (its cursor, so a deletion stopped or killed anywhere resumes there) and what it deleted.
 *
 * @example
 * ```ts
 * if (v.deletion?.endedAt !== undefined) console.log(`${v.deletion.deleted} rows deleted`);
 * ```
 */
export interface DeletionRecord {
  startedAt: number;
  /** When the last page was done: every row of the version is gone. */
  endedAt?: number | undefined;
  /** Rows found and deleted by the recorded pages (rows a crashed run deleted in an unrecorded page are not counted). */
  deleted: number;
  /** Scan pages done so far. */
  pages: number;
  /** The scan's `LastEvaluatedKey` after the last page done (undefined: start, or done). */
  cursor?: Record<string, AttributeValue> | undefined;
}

/**
 * A hold on a complete build (recorded by its backfill's end, or by `repairRollup`): its backfill left items the
 * store refused (a sum past 38 digits in the scan's order, a row past 400 KB), which it lacks and the serving
 * version may count, so it is kept `ready` and `promoteVersion` refuses it unless forced. Kept on the entry after
 * a forced promotion: what it lacks.
 *
 * @example
 * ```ts
 * if (v.hold !== undefined) console.log(`held: lacks ${v.hold.storeRefused} item(s)`);
 * ```
 */
export interface HoldRecord {
  /** Items of the source the store refused during the version's backfill (every run of it). */
  storeRefused: number;
  /** When the hold was recorded (ms). */
  at: number;
}

/**
 * One version of a rollup.
 *
 * @example
 * ```ts
 * const v: VersionEntry = { version: 2, fingerprint: 'ab12…', state: 'building', registeredAt: Date.now() };
 * ```
 */
export interface VersionEntry {
  version: number;
  fingerprint: string;
  state: VersionState;
  registeredAt: number;
  /** The version needs a backfill (false only for a first version that was already counting). */
  needsBackfill: boolean;
  backfill?: BackfillRecord | undefined;
  promotedAt?: number | undefined;
  retiredAt?: number | undefined;
  /** Deletion of a retired version's rows (`deleteRetiredVersion`). */
  deletion?: DeletionRecord | undefined;
  /** The claim table the version is built with, recorded by the first process that claims for it (`bindClaimTable`). */
  claimTable?: string | undefined;
  /**
   * The build id its claims and backfill progress are keyed by in the claim table (`claimPrefix`), recorded at its
   * registration (`v<n>.claims.scope`); undefined for a version an earlier release registered (keyed by its bare
   * key prefix).
   */
  claimScope?: string | undefined;
  /** Its backfill or a repair held it (it lacks items the store refused): not promoted unless forced. */
  hold?: HoldRecord | undefined;
}

/**
 * The control item of one rollup in the aggregate table: which versions exist and which one serves.
 *
 * @example
 * ```ts
 * const control = await readControl(client, 'aggregates', 'store');
 * control?.versions.find((v) => v.version === control.serving)?.fingerprint;
 * ```
 */
export interface ControlItem {
  rollup: string;
  /** The serving version's number (undefined: none serves yet). */
  serving: number | undefined;
  /** The number the next registered version gets. */
  next: number;
  versions: VersionEntry[];
}

/** Partition key prefix of control items (`~` cannot start a rollup name). */
export const CONTROL_PK_PREFIX = '~ctl#';
/** Sort key of control items. */
export const CONTROL_SK = 'control';

/**
 * The key of a rollup's control item.
 *
 * @example
 * ```ts
 * controlKey('store'); // { pk: { S: '~ctl#store' }, sk: { S: 'control' } }
 * ```
 */
export function controlKey(rollup: string): Record<string, AttributeValue> {
  return { pk: { S: `${CONTROL_PK_PREFIX}${rollup}` }, sk: { S: CONTROL_SK } };
}

/** Attribute holding version `n`'s entry. */
export const versionAttr = (n: number): string => `v${n}`;
/** Attribute mapping a fingerprint to its version number (so registration can be conditioned on it). */
export const fingerprintAttr = (fp: string): string => `fp_${fp}`;

/**
 * Reads a control item from its stored attributes.
 *
 * @example
 * ```ts
 * const control = parseControl('store', out.Item);
 * ```
 */
export function parseControl(
  rollup: string,
  item: Record<string, AttributeValue> | undefined,
): ControlItem | undefined {
  if (item === undefined) return undefined;
  const versions: VersionEntry[] = [];
  for (const [k, v] of Object.entries(item)) {
    if (!/^v\d+$/.test(k) || v.M === undefined) continue;
    const m = v.M;
    const num = (a: string) => (m[a]?.N === undefined ? undefined : Number(m[a].N));
    const bf = m.backfill?.M;
    const del = m.deletion?.M;
    versions.push({
      version: Number(k.slice(1)),
      fingerprint: m.fp?.S ?? '',
      state: (m.state?.S ?? 'building') as VersionState,
      registeredAt: num('registeredAt') ?? 0,
      needsBackfill: m.needsBackfill?.BOOL ?? true,
      backfill:
        bf === undefined
          ? undefined
          : {
              startedAt: bf.startedAt?.N === undefined ? undefined : Number(bf.startedAt.N),
              endedAt: bf.endedAt?.N === undefined ? undefined : Number(bf.endedAt.N),
              segments: bf.segments?.N === undefined ? undefined : Number(bf.segments.N),
              storeRefused: bf.storeRefused?.N === undefined ? undefined : Number(bf.storeRefused.N),
              source: bf.source?.S,
            },
      promotedAt: num('promotedAt'),
      retiredAt: num('retiredAt'),
      // `claims` is the bound table (a string) in entries of earlier releases, a map { scope, table } since
      claimTable: m.claims?.S ?? m.claims?.M?.table?.S,
      claimScope: m.claims?.M?.scope?.S,
      hold:
        m.hold?.M === undefined
          ? undefined
          : { storeRefused: Number(m.hold.M.storeRefused?.N ?? 0), at: Number(m.hold.M.at?.N ?? 0) },
      deletion:
        del === undefined
          ? undefined
          : {
              startedAt: Number(del.startedAt?.N ?? 0),
              endedAt: del.endedAt?.N === undefined ? undefined : Number(del.endedAt.N),
              deleted: Number(del.deleted?.N ?? 0),
              pages: Number(del.pages?.N ?? 0),
              cursor: del.cursor?.M,
            },
    });
  }
  versions.sort((a, b) => a.version - b.version);
  return {
    rollup,
    serving: item.serving?.N === undefined ? undefined : Number(item.serving.N),
    next: item.next?.N === undefined ? versions.length + 1 : Number(item.next.N),
    versions,
  };
}
