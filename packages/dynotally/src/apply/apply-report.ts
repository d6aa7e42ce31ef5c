/**
 * What one apply did. Write units follow DynamoDB's billing: each write costs the larger of the item's
 * size before and after in 1 KB units (index writes included), transactional writes twice.
 *
 * @example
 * ```ts
 * const { report } = await applier.apply(records, { shardId });
 * console.log(`${report.rowsWritten} rows, ${report.writeUnits} WCU for ${report.records} records`);
 * ```
 */
export interface ApplyReport {
  /** Records in the batch. */
  records: number;
  /**
   * Records of the batch folded into this apply's rows, each once however many rollups (or versions of one) it
   * counts in: neither poison the fold refused, nor late records dead-lettered, nor records an earlier delivery
   * found the store refuses (dead-lettered again). A record the store refuses when its rows are written is folded
   * and also counted in `poison`. A versioned write side (`createVersionedWriteSide`) folds the batch once per
   * version, a version under backfill only the records its claims leave to the stream: its `folded` is the most one
   * version folded (the serving version's, every record of the batch, during a rollout), not their sum. With no
   * serving version and several under backfill whose claims leave different records to the stream, that is a lower
   * bound.
   */
  folded: number;
  /**
   * Records skipped because the shard's watermark was already past them (the `transaction` strategy: the legacy
   * `~wm#` item of earlier versions).
   */
  skipped: number;
  /** Records sent to the dead-letter sink. */
  poison: number;
  /** Row updates committed. */
  rowsWritten: number;
  /** Row updates found already applied by an earlier delivery (row-watermark mode). */
  rowsAlreadyApplied: number;
  /** min / max / last conditional writes sent. */
  extremaWritten: number;
  /**
   * min / max / last values DynamoDB refused because their row is at its 400 KB item limit (the row's exactly-once
   * state grown by thousands of shards): not written, so the row's extremum may miss them, while the batch's counts
   * and sums are written and the shard goes on (a retry would be refused again until the row's older states are
   * pruned). Logged by the handler.
   */
  extremaRefused: number;
  /** TransactWriteItems calls committed. */
  transactions: number;
  /** Write capacity units consumed, by DynamoDB's sizing rules. */
  writeUnits: number;
  /**
   * The part of `writeUnits` estimated from item sizes with the cost model (`src/cost`), where the store did
   * not report consumed capacity (DynamoDB Local reports none for PartiQL).
   */
  estimatedWriteUnits: number;
  /** Write requests sent to the store (each `UpdateItem`, `BatchExecuteStatement` or transaction counts one). */
  requests: number;
  /**
   * Reads of rows just written by PartiQL, to learn their exactly-once state (one row in `pruneSampleEvery`,
   * 100 rows a `BatchGetItem`), and the read units they consumed as the store reported them. The Redis buffer's
   * applier counts here its reads of the stored rows of groups whose hints it does not know yet (one `Query` page
   * each: `redis/known-groups.ts`).
   */
  readRequests: number;
  readUnits: number;
  /** Rows dropped because their bucket is past retention. */
  expired: number;
  /** Rows whose deltas cancelled out within the batch. */
  cancelled: number;
  /** Retries of throttled, conflicting or failed calls. */
  retries: number;
  durationMs: number;
}

/**
 * A zeroed report.
 *
 * @example
 * ```ts
 * const total = emptyReport();
 * ```
 */
export function emptyReport(records = 0): ApplyReport {
  return {
    records,
    folded: 0,
    skipped: 0,
    poison: 0,
    rowsWritten: 0,
    rowsAlreadyApplied: 0,
    extremaWritten: 0,
    extremaRefused: 0,
    transactions: 0,
    writeUnits: 0,
    estimatedWriteUnits: 0,
    requests: 0,
    readRequests: 0,
    readUnits: 0,
    expired: 0,
    cancelled: 0,
    retries: 0,
    durationMs: 0,
  };
}

/**
 * Adds `b` into `a` (for totals over many batches).
 *
 * @example
 * ```ts
 * mergeReports(total, report);
 * ```
 */
export function mergeReports(a: ApplyReport, b: ApplyReport): ApplyReport {
  for (const k of Object.keys(a) as (keyof ApplyReport)[]) a[k] += b[k];
  return a;
}
