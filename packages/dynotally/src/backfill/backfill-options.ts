import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApplierOptions, RedeliveryOptions, RollupLike } from '../apply/index.ts';
import type { DeadLetterSink } from '../dead-letter/dead-letter.ts';
import type { ErrorCode } from '../errors/index.ts';

/**
 * Options of {@link runBackfill}.
 *
 * @example
 * ```ts
 * const options: BackfillOptions = { client, source: 'orders', table: 'aggregates', claimTable: 'claims',
 *   rollup: storeMetricsV2, segments: 8, readUnitsPerSecond: 2_000 };
 * ```
 */
export interface BackfillOptions {
  client: DynamoDBClient;
  /** The source table to scan. */
  source: string;
  /** The aggregate table (rows and control items). */
  table: string;
  /** The claim table (`createClaimTable`), shared with the stream side. */
  claimTable: string;
  /** The definition to build: a registered version in state `building`. */
  rollup: RollupLike;
  /**
   * Build this version number instead of the definition's own: a rebuild of the same definition registered by
   * a repair (`repairRollup`). Default: the version the definition was registered as.
   */
  version?: number | undefined;
  /**
   * Parallel scan segments (default 4). Progress is per segment count: a resume takes the count the backfill started
   * with (recorded in the control item) and refuses another (`BACKFILL_REFUSED`), as does a process whose start
   * another process building the version recorded first.
   */
  segments?: number;
  /**
   * Run only these segments (default all): spread one backfill over several processes or Lambda invocations. Each
   * is a whole number below the segment count (else `CONFIG_INVALID`); a segment named twice runs once.
   */
  onlySegments?: readonly number[];
  /**
   * Segments this process scans at once (default 8): the others wait their turn, in order. Each segment in flight
   * holds one chunk (a Scan page of up to 1 MB, its claims and coalesced rows), so this bounds the process's memory
   * and its requests in flight whatever `segments` is: with `segments: 1000` and no `onlySegments`, one process
   * works through the 1,000 segments 8 at a time. A whole number from 1 to 1,000 (else `CONFIG_INVALID`).
   */
  segmentConcurrency?: number;
  /** Read capacity units per second for the scan, over all segments (default: unlimited). */
  readUnitsPerSecond?: number;
  /** Items per chunk: the unit of claiming, folding, coalescing and resuming (default 500). */
  chunkItems?: number;
  /**
   * Claim requests in flight per segment (default 8): each is a PartiQL `BatchExecuteStatement` of up to 25
   * `INSERT`s (claim if absent).
   */
  claimConcurrency?: number;
  /** Estimate reads, writes and dollars from the table's size; scan nothing. */
  dryRun?: boolean;
  /**
   * Register the definition as a new version (`building`) if it has none yet: for stream sides deployed with
   * `register: 'first'`. Run it once the new definition is deployed everywhere; then `settleMs: 0` is exact.
   */
  register?: boolean;
  /** Do not start scanning before the version has been registered this long (default 30 s; a finite number ≥ 0). */
  settleMs?: number;
  /** Promote the version once the scan completes. */
  promote?: boolean;
  /**
   * Build a version of a rollup with `ttlDeletes: 'ignore'` although another version of it serves: a scan sees
   * only the items that still exist, so the version built lacks the history of every item DynamoDB's TTL deleted
   * before its scan, which the serving version keeps counting. Without it such a backfill is refused
   * (`BACKFILL_REFUSED`, `checkExpiredHistory`).
   */
  acceptExpiredHistoryLoss?: boolean | undefined;
  onProgress?: (p: BackfillProgress) => void;
  /** Stops the backfill between steps (it resumes where it stopped). */
  signal?: AbortSignal;
  apply?: Pick<ApplierOptions, 'concurrency' | 'retry'>;
  /**
   * Where scanned items that cannot be counted go, as the stream side's poison records do (the same sink: e.g.
   * `new DynamoDbDeadLetterSink(client, 'dynotally-dead-letters')`): an item whose values the fold refuses
   * (`VALUE_INVALID`, …; never claimed) and one the store refuses when its chunk's rows are written
   * (`NUMBER_UNREPRESENTABLE`, `ITEM_TOO_LARGE`). Each is a letter of an INSERT of the scanned image under the
   * segment's source (`backfill:<prefix>`, shard `bf-<segment>/<segments>`) with the item's `Keys`, and leaves no
   * trace in the version's rows. Without a sink they are only counted (`progress.uncountable`).
   */
  deadLetter?: DeadLetterSink | undefined;
  /**
   * The stream side's redelivery settings (its mapping's MaximumRecordAge, as `createStreamHandler` takes them).
   * A chunk stopped between its rows and its progress write (a crash) is applied again on resume only within the
   * horizon its rows' exactly-once states are kept for: an hour when this is not given (the shortest any mapping
   * can have), `pruneAfterSeconds(redelivery)` when it is; later, the backfill refuses (`BACKFILL_REFUSED`) rather
   * than risk counting the chunk twice.
   */
  redelivery?: RedeliveryOptions | undefined;
  now?: () => number;
}

/**
 * Where a backfill is.
 *
 * @example
 * ```ts
 * onProgress: (p) => console.error(`${p.scanned}/${p.estimatedItems} items, ETA ${Math.round(p.etaMs / 1000)} s`)
 * ```
 */
export interface BackfillProgress {
  /** Items read by this run. */
  scanned: number;
  /**
   * Items earlier runs (or other processes) had scanned in this process's segments when it started: the sum of their
   * progress items' counts. A resumed run's share is `(scannedBefore + scanned) / estimatedOwnItems`.
   */
  scannedBefore: number;
  /** Items this run folded (claimed by the scan). */
  folded: number;
  /** Items the stream had claimed first (counted live). */
  claimedLive: number;
  /**
   * Items the scan does not count: not members of the rollup when their chunk was journaled (nothing claimed),
   * or claimed as counting nothing (uncountable or gone when a later process claimed them).
   */
  nonMembers: number;
  /**
   * Items that could not be counted (values the fold refuses, or refused by the store when their rows were
   * written), sent to `deadLetter` when given; counted neither as folded nor as non-members.
   */
  uncountable: number;
  /** Their dead-letter codes, with how many items had each (`{ VALUE_INVALID: 1, NUMBER_UNREPRESENTABLE: 1 }`). */
  uncountableCodes: Record<string, number>;
  /**
   * min / max / last values the store refused because their row is at DynamoDB's 400 KB item limit: left out of
   * the version's rows (their items' counts and sums are in). 0 but for rows grown by thousands of shards' states.
   */
  extremaRefused: number;
  chunks: number;
  /** Segments this run finished. */
  segmentsDone: number;
  /** This process's segments already done when it started (by an earlier run or another process). */
  segmentsDoneBefore: number;
  /** The segment count of the backfill (every process's). */
  segments: number;
  /** The segments this process runs: `onlySegments`' (without repeats), else `segments`. */
  ownSegments: number;
  readUnits: number;
  /**
   * Write units of this run: claims and aggregate rows. A claim counts by its size (1 unit per started KB: one
   * keeping a large image whole, for a rollup with a callback, is a large write), with the parts of an image too
   * large for a claim; a claim found already there counts 1.
   */
  writeUnits: number;
  /** Conditional claim writes this run sent (one per member item the stream had not claimed). */
  claimWrites: number;
  /** The source table's item count as DynamoDB reports it (updated about every 6 hours on AWS). */
  estimatedItems: number;
  /**
   * The items this process's segments are expected to hold: `estimatedItems × ownSegments / segments` (a Scan
   * segment holds about an equal share of the table). What `etaMs` counts down to.
   */
  estimatedOwnItems: number;
  /** Items this run scanned per second since it started. */
  itemsPerSecond: number;
  /**
   * At that rate, the time left to scan `estimatedOwnItems − scannedBefore − scanned` items (0 before a rate is
   * known). An estimate: the item count is DynamoDB's approximate one and segments differ in size.
   */
  etaMs: number;
}

/**
 * What a backfill did, or would do (`dryRun`).
 *
 * @example
 * ```ts
 * const r = await runBackfill(options);
 * console.log(r.progress.folded, r.complete);
 * ```
 */
export interface BackfillReport {
  version: number;
  complete: boolean;
  progress: BackfillProgress;
  durationMs: number;
  estimate?: BackfillEstimate;
  /**
   * A dry run only: the first error the real run would be refused with (`BACKFILL_REFUSED` for a rollup with
   * `ttlDeletes: 'ignore'` while a version serves, without `acceptExpiredHistoryLoss`; `register` with no control
   * item; `VERSION_UNKNOWN` for a definition with no version, estimated as the version registering it would make;
   * for a version that is not
   * building — ready, serving or retired —, for `segments` other than its started backfill's count, and for a
   * version registered too long ago for its claims: `checkClaimLifetime`); undefined when it would run.
   */
  refused?: { code: ErrorCode; message: string };
  /**
   * A dry run only: the version is `ready` (its backfill ended) and `promote` was asked, so the real run scans
   * nothing and only promotes it (or, when `held`, leaves it held): `estimate` is zero (review s41b).
   */
  promoteOnly?: boolean;
  /**
   * Items of the source the store refused over the version's whole backfill (every segment and run; set once it is
   * complete): a sum past 38 digits in the scan's order, or a row past 400 KB, dead-lettered and in no row of it.
   */
  storeRefused?: number;
  /**
   * The complete version is held (set once it is complete): it lacks `storeRefused` items while another version
   * serves, which may count them, so it is left `ready` (not promoted, also with `promote`) and `promoteVersion`
   * refuses it unless forced (`dynotally rollups promote <rollup> <version> --force`).
   */
  held?: boolean;
  /**
   * Asked to promote (`promote`), the complete version was not: a version of another definition, registered after
   * it, serves (`serving`), which the promotion would retire for good, halting every stream side that deploys only
   * that definition (`PROMOTE_REFUSED`, `promoteVersion`). It is left `ready`; `reason` says the ways on (retire it,
   * rebuild its definition, or `dynotally rollups promote <rollup> <version> --force`).
   */
  promoteRefused?: { reason: string; serving: number };
}

/**
 * A dry run's estimate, from the table's size and item count, at on-demand prices (us-east-1: $0.125 per
 * million read units, $0.625 per million write units).
 *
 * @example
 * ```ts
 * const { estimate } = await runBackfill({ ...options, dryRun: true });
 * ```
 */
export interface BackfillEstimate {
  items: number;
  bytes: number;
  /** Consistent scan reads: 1 unit per 4 KB scanned. */
  readUnits: number;
  /** One claim per member item (≤ 1 KB), plus at most one row write per item and granularity row. */
  writeUnits: number;
  dollars: number;
  /** At the given read rate (undefined when unlimited). */
  seconds: number | undefined;
}
