import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import type { DeletionRecord } from './control-item.ts';
import { readControl } from './control-store.ts';
import {
  deleteRowsParams,
  deletionRecordParams,
  isRowOfPrefix,
  retiredRowsScanParams,
} from './deletion-params.ts';
import { versionKeyPrefix } from './version-prefix.ts';

/**
 * Options of {@link deleteRetiredVersion}.
 *
 * @example
 * ```ts
 * const options: DeleteRetiredOptions = { client, table: 'aggregates', rollup: 'store', version: 1,
 *   deletesPerSecond: 500 };
 * ```
 */
export interface DeleteRetiredOptions {
  client: DynamoDBClient;
  /** The aggregate table. */
  table: string;
  rollup: string;
  version: number;
  /** Rows deleted per second at most (default: unlimited). Each delete costs the row's size in write units (≥ 1). */
  deletesPerSecond?: number;
  /** Items scanned per page (default 1 000): the unit of resuming. */
  pageItems?: number;
  /** `BatchWriteItem` requests (25 deletes each) in flight (default 4). */
  concurrency?: number;
  /**
   * Start no earlier than this long after the version was retired (default 5 min): a stream batch that read the
   * control items before the promotion may still be writing the retired version for as long as one apply call
   * lasts (up to a Lambda's timeout: raise this past your function's), and a row written behind the deletion
   * would stay.
   */
  graceMs?: number;
  /** Stops between steps; run again to resume from the last recorded page. */
  signal?: AbortSignal;
  onProgress?: (p: DeletionReport) => void;
  now?: () => number;
}

/**
 * What a deletion run did.
 *
 * @example
 * ```ts
 * const r = await deleteRetiredVersion(options);
 * console.log(r.complete, r.deleted);
 * ```
 */
export interface DeletionReport {
  rollup: string;
  version: number;
  /** Every row of the version is gone (now or by an earlier run). */
  complete: boolean;
  /** Items this run scanned (rows of every version and rollup: a Scan reads them all). */
  scanned: number;
  /** Delete requests this run sent (a page redone after a crash deletes some rows twice, harmlessly). */
  deleted: number;
  /** Scan pages this run did. */
  pages: number;
  readUnits: number;
  writeUnits: number;
  /** The deletion as the control item records it, over every run. */
  record: DeletionRecord | undefined;
  durationMs: number;
}

/**
 * Deletes the rows of a retired version of a rollup (one replaced by a promotion) in the background: a paced Scan
 * of the aggregate table for the version's partition-key prefix, deleting what it finds 25 keys a request, its
 * cursor recorded in the control item after each page, so a deletion stopped or killed anywhere resumes from its
 * last recorded page (deleting a row twice is harmless). Rows of every other version, other rollups and the
 * control items never match the prefix, and each key is checked against it again before it is sent. The
 * control item records when the deletion ended; an end once recorded stays: two runs at once are safe, and a run
 * that finds the deletion ended by the other one stops and reports it complete.
 *
 * @throws {DynotallyError} `DELETE_REFUSED` for a version that is not retired (or when stopped by `signal`);
 *   `VERSION_UNKNOWN` for a version the control item does not have; `CONFIG_INVALID` for a `pageItems` or
 *   `concurrency` that is not a whole number ≥ 1, or a `deletesPerSecond` not above 0.
 * @example
 * ```ts
 * await promoteVersion(client, 'aggregates', 'store', 2); // version 1 becomes retired
 * const r = await deleteRetiredVersion({ client, table: 'aggregates', rollup: 'store', version: 1 });
 * ```
 */
export async function deleteRetiredVersion(options: DeleteRetiredOptions): Promise<DeletionReport> {
  const started = Date.now();
  const now = () => options.now?.() ?? Date.now();
  const { client, table, rollup, version } = options;
  const pageItems = options.pageItems ?? 1_000;
  if (!Number.isInteger(pageItems) || pageItems < 1)
    throw new DynotallyError('CONFIG_INVALID', 'pageItems must be a whole number ≥ 1');
  // no worker sent a delete while the pages were recorded as done, the deletion complete (review s40b)
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new DynotallyError('CONFIG_INVALID', 'concurrency must be a whole number ≥ 1', {
      details: { concurrency },
    });
  const rate = options.deletesPerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
    throw new DynotallyError(
      'CONFIG_INVALID',
      'deletesPerSecond must be a number above 0 (or left out: unlimited)',
      {
        details: { deletesPerSecond: rate },
      },
    );
  const control = await readControl(client, table, rollup);
  const entry = control?.versions.find((v) => v.version === version);
  if (entry === undefined)
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${rollup}' has no version ${version}: see dynotally rollups status`,
      { details: { rollup, version } },
    );
  if (entry.state !== 'retired' || control?.serving === version)
    throw new DynotallyError(
      'DELETE_REFUSED',
      `version ${version} of rollup '${rollup}' is ${entry.state}: only a retired version's rows are deleted (promote another version first)`,
      { details: { rollup, version, state: entry.state } },
    );
  const report: DeletionReport = {
    rollup,
    version,
    complete: entry.deletion?.endedAt !== undefined,
    scanned: 0,
    deleted: 0,
    pages: 0,
    readUnits: 0,
    writeUnits: 0,
    record: entry.deletion,
    durationMs: 0,
  };
  if (report.complete) return { ...report, durationMs: Date.now() - started };
  const graceUntil = (entry.retiredAt ?? 0) + (options.graceMs ?? 300_000);
  while (now() < graceUntil) {
    checkAbort(options.signal);
    await sleep(Math.min(1_000, graceUntil - now()));
  }
  const prefix = versionKeyPrefix(rollup, version);
  let record: DeletionRecord = entry.deletion ?? { startedAt: now(), deleted: 0, pages: 0 };
  for (;;) {
    checkAbort(options.signal);
    const page = await withRetry(() =>
      client.send(new ScanCommand(retiredRowsScanParams(table, prefix, record.cursor, pageItems))),
    );
    report.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    report.scanned += page.ScannedCount ?? 0;
    const keys: Record<string, AttributeValue>[] = [];
    for (const it of page.Items ?? []) {
      const pk = it.pk?.S;
      // the filter already did this; a key of another version is never sent, whatever the store returned
      if (pk !== undefined && it.sk !== undefined && isRowOfPrefix(prefix, pk))
        keys.push({ pk: { S: pk }, sk: it.sk });
    }
    const batches: Record<string, AttributeValue>[][] = [];
    for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
    const pageStarted = Date.now();
    await mapLimit(batches, concurrency, async (batch) => {
      report.writeUnits += await deleteAll(client, table, batch);
    });
    report.deleted += keys.length;
    report.pages++;
    if (options.deletesPerSecond !== undefined && keys.length > 0) {
      const due = (keys.length / options.deletesPerSecond) * 1000 - (Date.now() - pageStarted);
      if (due > 0) await sleep(due);
    }
    const cursor = page.LastEvaluatedKey;
    record = {
      startedAt: record.startedAt,
      deleted: record.deleted + keys.length,
      pages: record.pages + 1,
      ...(cursor === undefined ? { endedAt: now() } : { cursor }),
    };
    const endedBefore = await saveRecord(client, table, rollup, version, record);
    if (endedBefore !== undefined) {
      // another run ended the deletion meanwhile: its end stays (review s41b)
      report.record = endedBefore;
      report.complete = true;
      report.durationMs = Date.now() - started;
      options.onProgress?.({ ...report });
      return report;
    }
    report.record = record;
    report.complete = cursor === undefined;
    report.durationMs = Date.now() - started;
    options.onProgress?.({ ...report });
    if (report.complete) return report;
  }
}

/**
 * Deletes the rows of every retired version of a rollup whose deletion has not ended, oldest first (see
 * {@link deleteRetiredVersion}; `version` is taken from the control item).
 *
 * @example
 * ```ts
 * const reports = await deleteRetiredVersions({ client, table: 'aggregates', rollup: 'store' });
 * ```
 */
export async function deleteRetiredVersions(
  options: Omit<DeleteRetiredOptions, 'version'>,
): Promise<DeletionReport[]> {
  const control = await readControl(options.client, options.table, options.rollup);
  const pending = (control?.versions ?? []).filter(
    (v) => v.state === 'retired' && v.deletion?.endedAt === undefined,
  );
  const reports: DeletionReport[] = [];
  for (const v of pending) reports.push(await deleteRetiredVersion({ ...options, version: v.version }));
  return reports;
}

/** Deletes a batch of keys, retrying what DynamoDB leaves unprocessed; returns the write units consumed. */
async function deleteAll(
  client: DynamoDBClient,
  table: string,
  keys: Record<string, AttributeValue>[],
): Promise<number> {
  let units = 0;
  let left = keys;
  for (let attempt = 0; left.length > 0; attempt++) {
    if (attempt > 0) await sleep(Math.min(5_000, 50 * 2 ** attempt));
    const out = await withRetry(() => client.send(new BatchWriteItemCommand(deleteRowsParams(table, left))));
    units += out.ConsumedCapacity?.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0) ?? 0;
    left = (out.UnprocessedItems?.[table] ?? []).flatMap((r) =>
      r.DeleteRequest?.Key === undefined ? [] : [r.DeleteRequest.Key],
    );
  }
  return units;
}

/**
 * Records the deletion's progress; returns the deletion as recorded when another run already ended it (the write
 * is refused then: an end is never replaced by a cursor, nor by another end).
 */
async function saveRecord(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
  record: DeletionRecord,
): Promise<DeletionRecord | undefined> {
  try {
    await withRetry(() =>
      client.send(new UpdateItemCommand(deletionRecordParams(table, rollup, version, record))),
    );
    return undefined;
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    const entry = (await readControl(client, table, rollup))?.versions.find((v) => v.version === version);
    if (entry?.state === 'retired' && entry.deletion?.endedAt !== undefined) return entry.deletion;
    throw new DynotallyError(
      'DELETE_REFUSED',
      `version ${version} of rollup '${rollup}' is no longer retired: its deletion stopped`,
      { details: { rollup, version } },
    );
  }
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new DynotallyError('DELETE_REFUSED', 'the deletion was stopped; run it again to resume');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
