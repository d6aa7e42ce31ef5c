import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { DeadLetter, DeadLetterSink } from '../dead-letter/index.ts';
import { pendingRowsOf } from '../dead-letter/pending-rows.ts';
import { type Change, orderBatch } from '../decode/index.ts';
import { batchStream } from '../decode/one-stream.ts';
import type { CompiledRollup, Rollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Folder, foldBatch, type PoisonRecord } from '../fold/index.ts';
import { checkTableName } from '../layout/table-name.ts';
import { planWrites, type RowWrite } from '../plan/index.ts';
import { RetentionRecorder } from '../retention/index.ts';
import { shownDetail, shownText, shownValue } from '../strings/shown-value.ts';
import { type ApplyReport, emptyReport, mergeReports } from './apply-report.ts';
import { type BatchHalves, wideBatchHalves } from './batch-halves.ts';
import { type BatchPlan, planBatch } from './batch-plan.ts';
import {
  clearExclusions,
  decodeExclusions,
  type Exclusion,
  type ExclusionContext,
  exclusionContext,
  exclusionTime,
  readExclusions,
  recordExclusion,
  rowHash,
  type StoredExclusions,
  streamClock,
} from './exclusions.ts';
import { ExistenceGuesses } from './existence-guesses.ts';
import { extremaWithout } from './extrema-without.ts';
import { fencedClient } from './fenced-client.ts';
import { type ExclusionsRead, exclusionsGiven } from './given-exclusions.ts';
import { heldByTransactions } from './held-by-transactions.ts';
import { recordKept } from './kept-record.ts';
import { KnownRows } from './known-rows.ts';
import { afterLateLetters, tooOldPoison } from './late-letters.ts';
import type { LateProbe } from './late-probe.ts';
import { checkLateRecords, lateAfterSeconds, splitLate } from './late-records.ts';
import { carriedOf, lateToSettle } from './late-settle.ts';
import { LegacyFloors } from './legacy-floors.ts';
import { markTransactional } from './mark-transactional.ts';
import { placedIn } from './poison-place.ts';
import { PruneHints } from './prune-hints.ts';
import { pruneAfterSeconds, type RedeliveryOptions } from './redelivery-horizon.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { sendDeadline } from './send-deadline.ts';
import { finishedStateAttrs, shardStateAttrs } from './shard-state.ts';
import { afterLegacyWatermark, readLegacyWatermarkItem } from './shard-watermark.ts';
import { rowBytesBound, TRANSACTION_BYTES_BUDGET, WATERMARK_ITEM_BYTES } from './transaction-bytes.ts';
import type { TransactionalRow } from './transaction-plan.ts';
import { DEFAULT_STATE_BUDGET_BYTES, TransactionalRows } from './transactional-rows.ts';
import { readTransactionalWatermark } from './transactional-watermark.ts';
import { isolateUnrepresentable, refusedRecord, takeBackEach } from './unrepresentable.ts';
import { cancelledRowWrites } from './watermark-only.ts';
import { retrying, writeExtrema } from './write-extrema.ts';
import { writeExtremaBatched } from './write-extrema-batched.ts';
import { type PartiqlState, type WriteOptions, writeApi } from './write-options.ts';
import { type RowWriteContext, writeRows } from './write-rows.ts';
import { writeRowsBatched } from './write-rows-batched.ts';
import { writeTransactionalRows } from './write-transactional-rows.ts';

/**
 * `exactly-once` (default): redelivered records never count twice. `at-least-once`: plain parallel
 * `UpdateItem`s, a little cheaper, and a redelivered batch counts twice.
 */
export type ApplyMode = 'exactly-once' | 'at-least-once';

/**
 * How exactly-once is achieved. `row-watermark` (default): each row carries its shard's watermark and is
 * written once per batch by one conditional write at single-item cost. `transaction`: every row goes through the
 * per-shard transaction path of rows past the state budget (`TransactWriteItems` of ≤ 99 rows with one watermark
 * item per rollup of the shard, `~wt#`; twice the write units, constant state on the rows). Both read each other's
 * state (a transaction starts each row after its own per-row state; a row a transaction wrote is marked, and
 * row-watermark sends it the transactional way), so the strategy may change while a batch is being retried.
 *
 * @example
 * ```ts
 * const strategy: ExactlyOnceStrategy = 'row-watermark';
 * new Applier({ client, table: 'aggregates', rollups: [jobs], strategy });
 * ```
 */
export type ExactlyOnceStrategy = 'row-watermark' | 'transaction';

/** Rollups as defined, or their compiled form. */
export type RollupLike = Rollup | CompiledRollup;

/**
 * Options of {@link Applier}.
 *
 * @example
 * ```ts
 * const options: ApplierOptions = { client, table: 'aggregates', rollups: [jobs], mode: 'exactly-once' };
 * ```
 */
export interface ApplierOptions {
  /** Your DynamoDB client; dynotally never destroys it. */
  client: DynamoDBClient;
  /** The aggregate table. */
  table: string;
  rollups: readonly RollupLike[];
  mode?: ApplyMode;
  strategy?: ExactlyOnceStrategy;
  /** Parallel `UpdateItem`s in flight (default 32). */
  concurrency?: number;
  retry?: RetryOptions;
  /** Where poison records go; without one they are returned (and the Lambda handler logs them in full). */
  deadLetter?: DeadLetterSink | undefined;
  /** Clock (ms), for tests. */
  now?: () => number;
  /**
   * One row write in this many learns the row's stored exactly-once state, to find stale shard states to prune and
   * rows over the state budget (default 16): on PartiQL the row is read back after the batch's writes (one
   * `BatchGetItem` of up to 100 rows), on `UpdateItem` the write returns the old row.
   */
  pruneSampleEvery?: number;
  /** How writes reach DynamoDB: PartiQL batches of 25 (default) or one `UpdateItem` each. */
  write?: WriteOptions;
  /**
   * What bounds redelivery (the event source mapping's maximum record age): a shard's exactly-once state on a
   * row is pruned once its last record there is older than that (or than the stream's 24 h retention) plus an
   * hour, since nothing it guards can be delivered again.
   */
  redelivery?: RedeliveryOptions;
  /**
   * Row-watermark exactly-once: the most bytes of exactly-once state (one entry per shard that wrote the row
   * within the redelivery horizon, about 24 bytes each) a row may carry before its writes move to the per-shard
   * transaction path (default 2048, about 80 shards). A row there is marked, stops gaining states and sheds the
   * ones it has; each write of it costs a transaction (twice its size in units, plus its rollup's watermark item)
   * instead of a single write billed on its whole state. Keeps every row far below DynamoDB's 400 KB limit
   * however many partitions the source table has.
   */
  stateBudgetBytes?: number;
  /**
   * Exactly-once: what happens to a record older than the redelivery horizon less half its margin (24 h 30 min
   * by default; see `lateAfterSeconds`), whose shard's exactly-once state may already be pruned from rows an
   * earlier, half-applied delivery reached, and whose take-back markers (a record the store refused, taken back from
   * the rows it reached) may be gone. `'dead-letter'` (the default): it is not applied and goes to the dead-letter
   * sink as `RECORD_TOO_OLD`, with the rows its probe finds pending, so it can never count twice (a late record whose
   * refusal an earlier delivery recorded is settled as on time while it is under 24 h 40 min old: taken back,
   * dead-lettered with the refusal's code). The check is made when `apply` starts, so with `'dead-letter'` no request
   * of the call is sent later than 24 h 40 min after its oldest record was written, a record it settles included
   * (`sendDeadline`): past it the
   * call fails with `RECORD_TOO_OLD` and a retry finds the records late. AWS keeps records past 24 h "subject to trimming", and a mapping without a
   * maximum record age (Lambda's default, -1) retries a batch for a day. `'apply'`: it is applied as any other, which
   * is safe only where nothing delivers such a record (a backfill, a test feeding records stamped in the past, a
   * mapping whose `MaximumRecordAgeInSeconds` is at most 86400): applied after its state or marker was pruned, a
   * redelivery counts twice, or takes a refused record back twice. The default was `'apply'` before 0.2.0: give
   * `lateRecords: 'apply'` (or a `now` clock) to feed old stream times.
   *
   * @example
   * ```ts
   * // a backfill-like job applying records stamped long ago, on purpose
   * new Applier({ client, table: 'aggregates', rollups: [jobs], lateRecords: 'apply' });
   * ```
   */
  lateRecords?: 'dead-letter' | 'apply';
}

/**
 * One batch from one shard: what {@link Applier.apply} and a {@link WriteSide}'s `apply` take.
 *
 * @example
 * ```ts
 * import { Applier, type ApplyInput, DynamoDbDeadLetterSink } from 'dynotally';
 *
 * const applier = new Applier({ client, table: 'aggregates', rollups: [jobs] });
 * const input: ApplyInput = {
 *   records: event.Records,
 *   shardId: 'shardId-00000001',
 *   deadLetter: new DynamoDbDeadLetterSink(client, 'dead-letters'),
 * };
 * const { report } = await applier.apply(input);
 * ```
 */
export interface ApplyInput {
  records: readonly DynamoDBRecord[];
  /** The shard the records came from: required in exactly-once mode. */
  shardId?: string | undefined;
  /**
   * Shards of the same stream whose records can never be delivered again, nearest first: the ancestors of
   * `shardId` (its parent, the parent's parent, …), since Lambda and the stream worker both finish a parent
   * before they read its children. Their exactly-once states are removed from every row this batch writes,
   * so a hot row written from many partitions keeps about one state per partition instead of one per shard
   * of the last day. Never give a shard that may still be read (or re-read): a redelivery of its records
   * would then count twice.
   */
  finishedShards?: readonly string[] | undefined;
  /**
   * The shard the batch's dead letters name, when it is not `shardId`: a backfill segment applied under a state
   * slot shared by the build's segments in turn (`shardId` `bf-slot-<n>`) names its segment (`bf-<segment>/<segments>`).
   * Default: `shardId`.
   */
  deadLetterShardId?: string | undefined;
  /**
   * When the stream worker's lease on `shardId` ends (epoch ms, the worker's clock); Lambda gives none. A write
   * side that reads the rollup versions for the batch (`createVersionedWriteSide`) refuses the batch with
   * `LEASE_LOST` when its read ends too close to it (see `fenceLease`).
   */
  leaseExpiresAt?: number | undefined;
  /**
   * Whether the stream worker still holds the lease on `shardId` (false once lost or too close to its end); Lambda
   * gives none. Checked before every request the batch sends: a batch whose lease went stops there with
   * `LEASE_LOST` (`fencedClient`), and the worker that took the shard over applies it.
   */
  leaseHeld?: (() => boolean) | undefined;
  /**
   * A send deadline (epoch ms, this applier's clock) from a caller that judged the records' lateness itself and
   * gives this applier `lateRecords: 'apply'` (the Redis buffer's direct fallback): no request of the batch is sent
   * from it on (`RECORD_TOO_OLD`), as for the applier's own late check (`sendDeadline`). The earlier of the two holds.
   */
  sendBy?: number | undefined;
  /**
   * The caller's dead-letter sink, for a write side without a `deadLetter` of its own: the write side then sends its
   * letters there itself, each when its own sink would get it, and says so (`ApplyResult.sent`). That matters for a
   * late record's `RECORD_TOO_OLD` letter, whose pending rows are probed before the rest of the batch is written and
   * which must be stored before that rest moves the shard past the record: sent by the caller after the batch, a
   * failed send made the redelivery probe again and find no pending row (review s36q). `createStreamHandler` and the
   * stream worker pass their sink here. A write side with a sink of its own uses its own.
   *
   * @example
   * ```ts
   * const out = await applier.apply({ records, shardId, deadLetter: sink });
   * if (!out.sent) await sink.send(out.poison.map(toLetter)); // a write side that does not take it
   * ```
   */
  deadLetter?: DeadLetterSink | undefined;
}

/**
 * What {@link Applier.apply} did.
 *
 * @example
 * ```ts
 * const { report, poison } = await applier.apply({ records, shardId });
 * ```
 */
export interface ApplyResult {
  report: ApplyReport;
  /** Records that could not be folded (already sent to the dead-letter sink, when there is one). */
  poison: PoisonRecord[];
  /**
   * Set when the write side returned `poison` for its caller to send and holds something open until they are sent:
   * call it once they are (dead-lettered, or logged when there is no sink), before the batch counts as done.
   * `createStreamHandler` does. A caller that gives its sink with the batch (`ApplyInput.deadLetter`) never gets it:
   * the write side sends the letters and finishes itself. The Redis buffer's direct fallback sets it: its direct-write fence stays open until
   * then, so a redelivery after a failed send is refused again and its letters sent again (review s35z), and the
   * fence is completed here, not only by the shard's next direct batch, which a shard's last batch never has
   * (review s36r). A caller that never calls it leaves the fence open: the shard stays on direct writes and a write
   * Redis took in doubt is never taken back.
   *
   * @example
   * ```ts
   * const out = await applier.apply({ records, shardId });
   * await sendToMyQueue(out.poison); // your own dead-lettering
   * await out.lettersSent?.();
   * ```
   */
  lettersSent?: () => Promise<void>;
  /**
   * True when the write side sent `poison` to a dead-letter sink itself (its own `deadLetter`, or
   * `ApplyInput.deadLetter`): the caller must not send them again.
   */
  sent?: boolean;
}

/**
 * The write side: folds a batch, plans it, and applies it to the aggregate table. The only part of
 * dynotally's write path that talks to DynamoDB.
 *
 * @example
 * ```ts
 * const applier = new Applier({ client, table: 'aggregates', rollups: [jobs, scans] });
 * const { report } = await applier.apply({ records: event.Records, shardId: event.shardId });
 * console.log(report.rowsWritten, report.writeUnits);
 * ```
 */
export class Applier {
  readonly rollups: readonly CompiledRollup[];
  /** `options.mode`, default `exactly-once`. */
  readonly mode: ApplyMode;
  private readonly folder: Folder;
  private readonly hints: PruneHints;
  private readonly known = new KnownRows();
  private readonly transactional: TransactionalRows;
  private readonly legacyFloors = new LegacyFloors();
  private readonly partiql: PartiqlState;
  private readonly retention: RetentionRecorder;

  constructor(readonly options: ApplierOptions) {
    this.rollups = options.rollups.map((r) => ('compiled' in r ? r.compiled : r));
    const names = new Set<string>();
    for (const r of this.rollups) {
      if (names.has(r.name))
        throw new DynotallyError(
          'DEFINITION_INVALID',
          `two rollups are named '${shownText(r.name)}': rollup names must be unique`,
          { details: { rollup: shownDetail(r.name) } },
        );
      names.add(r.name);
    }
    checkApplierOptions(options);
    this.mode = options.mode ?? 'exactly-once';
    if (options.strategy === 'transaction' && options.mode !== 'at-least-once')
      checkOneRecordTransaction(this.rollups, options.stateBudgetBytes ?? DEFAULT_STATE_BUDGET_BYTES);
    this.hints = new PruneHints(pruneAfterSeconds(options.redelivery));
    this.transactional = new TransactionalRows(options.stateBudgetBytes ?? DEFAULT_STATE_BUDGET_BYTES);
    const batched = writeApi(options.write) === 'partiql';
    this.partiql = { enabled: batched, ifNotExists: batched, guesses: new ExistenceGuesses() };
    this.folder = new Folder(this.rollups);
    this.retention = new RetentionRecorder({
      client: options.client,
      table: options.table,
      rollups: this.rollups,
      retry: options.retry,
    });
  }

  /**
   * The plan for a batch and the requests it would send, without sending anything (`--dry-run`). `sends` holds
   * the requests {@link Applier.apply} sends on this applier's write path, in order, as a fresh applier sends them
   * the first time when every one succeeds: PartiQL `BatchExecuteStatement`s (the default), `UpdateItem`s
   * (`write: { api: 'update-item' }`) or `TransactWriteItems` (the `transaction` strategy, the shard's watermark
   * items read as missing, no row holding a state of the shard); what a refusal makes apply send next, and reads, are not in it. `requests` holds every
   * row update and conditional set in its `UpdateItem` form, whatever the path. A batch with a row wider than one
   * write is planned in the parts apply sends it in, one after the other: `parts` lists them, `plan` joins their
   * plans. Not in `sends`: the record of the rollups' retentions in their history items (a `GetItem` and an
   * `UpdateItem` of `~ret#<rollup>` per rollup with a finite retention, before the applier's first rows and at
   * most hourly after; see `RetentionRecorder`), which `apply` counts in its report's `writeUnits` and
   * `requests`.
   *
   * @example
   * ```ts
   * const { sends, parts } = applier.plan({ records, shardId });
   * for (const { api, input } of sends) console.log(api, JSON.stringify(input));
   * console.log(`in ${parts.length} part(s)`);
   * ```
   */
  plan(input: ApplyInput): BatchPlan {
    const records = orderBatch(input.records);
    return planBatch(records, {
      rollups: this.rollups,
      folder: this.folder,
      table: this.options.table,
      now: this.now(),
      shardId: input.shardId,
      watermarkOnlyRows: this.exactlyOnce(),
      exactlyOnce: this.exactlyOnce(),
      write: {
        api: writeApi(this.options.write),
        transaction: this.exactlyOnce() && this.options.strategy === 'transaction',
        sampleEvery: this.options.pruneSampleEvery ?? 16,
        stateBudgetBytes: this.options.stateBudgetBytes ?? DEFAULT_STATE_BUDGET_BYTES,
      },
      state:
        this.exactlyOnce() && input.shardId !== undefined
          ? stateAttrsOf(batchStream(records), input.shardId, input.finishedShards)
          : undefined,
    });
  }

  /**
   * Applies one batch. Throws (APPLY_FAILED, SHARD_ID_MISSING, …) when it could not finish; retrying the same
   * batch is then always safe in exactly-once mode.
   */
  async apply(input: ApplyInput): Promise<ApplyResult> {
    // (the Redis buffer's direct fallback hands over the exclusions its late split read: `givenExclusions`)
    const out = await this.applyPart(input, undefined, undefined, exclusionsGiven(input));
    return this.sinkFor(input) === undefined ? out : { ...out, sent: true };
  }

  /**
   * The first step of {@link Applier.apply}, alone: finds the batch's late records as `apply` would
   * (`lateRecords: 'dead-letter'`, exactly-once) and probes the rows each is pending in, writing and sending
   * nothing. {@link Applier.applyProbed} then applies the rest. For a write side that composes appliers over one
   * batch (`createVersionedWriteSide`, one per version): a late record's letter must be stored before the rest of
   * the batch moves any of its shard's rows past the record, and it needs every applier's pending rows, so every
   * applier is probed, the letters merged and stored, and only then is anything written. A record on time here is
   * not judged again by `applyProbed` (its send deadline still holds, as for `apply`'s one check). `at.now` (ms):
   * the instant lateness is judged at, instead of this applier's clock: a side probing several appliers over one
   * batch gives them all one, so no record is on time in one and late in another (review s37r).
   *
   * @throws {DynotallyError} `SHARD_ID_MISSING` in exactly-once mode without `input.shardId`.
   * @example
   * ```ts
   * const probe = await applier.probeLate({ records, shardId });
   * if (probe.poison.length > 0) await sink.send(probe.poison.map((p) => toDeadLetter(p, source, shardId, Date.now())));
   * const { report, poison } = await applier.applyProbed(probe);
   * ```
   */
  async probeLate(input: ApplyInput, at?: { readonly now: number }): Promise<LateProbe> {
    const ordered = orderBatch(input.records);
    const none: LateProbe = {
      input,
      poison: [],
      ordered,
      rest: ordered,
      settle: new Set(),
      judged: undefined,
      read: exclusionsGiven(input),
      retries: 0,
    };
    if (ordered.length === 0 || !this.lateGuard()) return none;
    this.checkShardId(input);
    const now = at?.now ?? this.now();
    const { late } = splitLate(ordered, now, lateAfterSeconds(this.hints.horizonSeconds));
    if (late.length === 0) return { ...none, judged: new Set(ordered) };
    const lateSet = new Set(late);
    const onTime = ordered.filter((r) => !lateSet.has(r));
    const found = await this.lateLetters(input, ordered, late, onTime, {
      source: batchStream(ordered),
      now,
    });
    return { ...found, judged: new Set(found.rest) };
  }

  /**
   * Applies what {@link Applier.probeLate} left of its batch: the records on time, and the late ones an earlier
   * delivery refused, settled. The probe's letters are never sent here (the caller stores them before calling
   * this); they come first in the result's `poison`, and the report counts them, as `apply`'s does. Other letters
   * go where `apply` sends them (this applier's own sink, else `input.deadLetter`: then `sent` is set, for those).
   *
   * @example
   * ```ts
   * const probe = await applier.probeLate({ records, shardId });
   * await storeLetters(probe.poison);
   * const { report, poison } = await applier.applyProbed(probe);
   * ```
   */
  async applyProbed(probe: LateProbe): Promise<ApplyResult> {
    const out = await this.applyRest(probe, async () => {}, probe.judged);
    return this.sinkFor(probe.input) === undefined ? out : { ...out, sent: true };
  }

  /** Where this batch's letters go: this applier's own sink, else the caller's (`ApplyInput.deadLetter`). */
  private sinkFor(input: ApplyInput): DeadLetterSink | undefined {
    return this.options.deadLetter ?? input.deadLetter;
  }

  /**
   * {@link Applier.apply} of a batch, or of a part of one (`whole`: the batch, in order): every poison record's
   * `index`, returned or dead-lettered, is its place in the whole batch ({@link placedIn}). `settling`: the late
   * records `applyWithoutLate` kept in the part to be settled; `read`: the shard's exclusions it read for them (or
   * the Redis buffer's late split did: `givenExclusions`), used instead of reading them again (nothing writes them in
   * between).
   */
  private async applyPart(
    input: ApplyInput,
    whole: readonly DynamoDBRecord[] | undefined,
    settling?: ReadonlySet<DynamoDBRecord>,
    read?: ExclusionsRead,
  ): Promise<ApplyResult> {
    const started = Date.now();
    // in sequence order, duplicates dropped: exactly-once must not depend on how the batch was cut or sent
    let records = orderBatch(input.records);
    const batch = whole ?? records;
    const placed = (poison: readonly PoisonRecord[]) => placedIn(poison, batch);
    const sink = this.sinkFor(input);
    const report = emptyReport(records.length);
    if (records.length === 0) return { report, poison: [] };
    const exactlyOnce = this.exactlyOnce();
    this.checkShardId(input);
    const now = this.now();
    const source = batchStream(records);
    // sent where this applier's own sink would get them (a backfill names the segment, not its state slot)
    const sendLetters = async (list: readonly PoisonRecord[]): Promise<void> => {
      if (list.length > 0 && sink !== undefined)
        await sink.send(
          placed(list).map((p) => toDeadLetter(p, source, input.deadLetterShardId ?? input.shardId, now)),
        );
    };
    const lateGuard = this.lateGuard();
    const lateAfter = lateAfterSeconds(this.hints.horizonSeconds);
    if (lateGuard) {
      // late records an earlier delivery refused for good and `applyWithoutLate` found still to settle stay in
      const split = splitLate(records, now, lateAfter);
      const late = settling === undefined ? split.late : split.late.filter((r) => !settling.has(r));
      if (late.length > 0) {
        const lateSet = new Set(late);
        const onTime = records.filter((r) => !lateSet.has(r));
        return this.applyWithoutLate(input, batch, late, onTime, { source, now });
      }
    }
    const concurrency = this.options.concurrency ?? 32;
    // the late check above holds only for writes sent within 10 minutes of a record turning late
    // (`SEND_AFTER_LATE_SECONDS`), and a settle only for take-backs sent by the same time (a take-back needs the
    // row's shard state, pruned as early: `SETTLE_AFTER_LATE_SECONDS`): a slower call (a worker's long
    // applyTimeoutMs, a direct caller, a Lambda invocation over 10 minutes) is refused then (reviews s35d, s35r)
    const own = lateGuard ? sendDeadline(records, lateAfter) : undefined;
    const sendBy =
      own === undefined || input.sendBy === undefined ? (own ?? input.sendBy) : Math.min(own, input.sendBy);
    const client =
      input.leaseHeld === undefined && sendBy === undefined
        ? this.options.client
        : fencedClient(
            this.options.client,
            input.leaseHeld,
            input.shardId,
            sendBy === undefined ? undefined : { by: sendBy, now: () => this.now() },
          );
    const allTransactional = exactlyOnce && this.options.strategy === 'transaction';
    if (allTransactional) {
      // the records the transaction strategy of earlier versions committed (its one `~wm#` item per shard) are in
      // every row they touch: a batch it half applied before an upgrade is redelivered to this code (read until
      // the shard's item is found absent or expired)
      const floor = await this.legacyFloors.floor(source, input.shardId as string, now, () =>
        withRetry(
          () => readLegacyWatermarkItem(client, this.options.table, source, input.shardId as string),
          retrying({ report, ...(this.options.retry ? { retry: this.options.retry } : {}) }),
        ),
      );
      const rest = afterLegacyWatermark(records, floor);
      report.skipped += records.length - rest.length;
      records = rest;
      if (records.length === 0) return { report, poison: [] };
    }
    const base = {
      client,
      table: this.options.table,
      now,
      concurrency,
      report,
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    };
    // (through the batch's client, lease-fenced as every request of it)
    const exclusionCtx = exclusionContext(
      base,
      { source, shardId: input.shardId as string, now },
      this.rollups,
      report,
      read?.pages ?? new Map<string, number>(),
    );
    // records an earlier delivery found the store refuses for good: left out from the start, their take-backs
    // and dead letters done (again) before any row is written
    let fold = foldBatch(this.rollups, records, { shardId: input.shardId, folder: this.folder });
    // a row the batch would write with more counters than one DynamoDB write carries (many packed cells over a
    // long batch): the batch is applied in parts, in order, each exactly once like any batch, before anything
    // of it is written (one record always fits: checked when the rollup is defined)
    const halves = wideBatchHalves(records, fold.coalescer);
    // (each half reads the exclusions itself: the first half's writes may change them)
    if (halves !== undefined) return this.applyInParts(input, halves, batch, settling);
    // rows carry TTLs from this applier's retentions: the rollups' retention histories hold them before any row
    // is written (a failure fails the batch), so a query never trusts a longer retention than a row's TTL
    if (fold.changes.length > 0) {
      const recorded = await this.retention.ensure(now);
      report.writeUnits += recorded.writeUnits;
      report.requests += recorded.requests;
    }
    // (a batch of poison only writes nothing, and reads nothing)
    const carried =
      exactlyOnce && fold.changes.length > 0
        ? await this.carriedExclusions(records, exclusionCtx, read?.stored)
        : undefined;
    if (carried !== undefined && carried.records.size > 0) {
      const kept = records.filter((r) => !carried.records.has(r));
      fold = foldBatch(this.rollups, kept, { shardId: input.shardId, folder: this.folder });
    }
    report.poison = fold.poison.length;
    const poison = [...fold.poison];
    report.folded = fold.changes.length;
    await sendLetters(fold.poison);
    const plan = planWrites(fold.coalescer, { now });
    report.expired = plan.expired;
    report.cancelled = plan.cancelled;
    // exactly-once: rows whose deltas cancelled still move their watermark past this batch
    const all = exactlyOnce ? [...plan.rows, ...cancelledRowWrites(fold.coalescer, now)] : plan.rows;
    // rows known to be past the state budget go through the per-shard transaction path, after the rest
    const toTransact = new Map<string, TransactionalRow>();
    const toMark = new Map<string, TransactionalRow>();
    const rows = exactlyOnce ? this.perRow(all, toTransact, allTransactional) : all;
    const write = this.partiql.enabled ? writeRowsBatched : writeRows;
    const rowCtx = {
      ...base,
      known: this.known,
      partiql: this.partiql,
      unrepresentable: exactlyOnce ? ([] as RowWrite[]) : undefined,
      exactlyOnce: exactlyOnce
        ? {
            attrs: stateAttrsOf(source, input.shardId as string, input.finishedShards),
            changes: fold.changes,
            folder: this.folder,
            hints: this.hints,
            sampleEvery: this.options.pruneSampleEvery ?? 16,
            transactional: { rows: this.transactional, refused: toTransact, toMark },
          }
        : undefined,
    };
    if (carried !== undefined && carried.records.size > 0) {
      const late = await this.settleCarried(carried, records, rowCtx, exclusionCtx);
      poison.push(...late);
      report.poison += late.length;
      await sendLetters(late);
    }
    await write(rows, rowCtx);
    const excluded = new Set<string>();
    if (rowCtx.unrepresentable !== undefined && rowCtx.unrepresentable.length > 0) {
      // a sum the store cannot hold: find the record(s) that cannot be added, apply the rest exactly once;
      // each refusal is recorded before the row moves past it, so no later delivery counts the record anywhere
      const exclusionOf = (
        change: Change,
        rowKeys: readonly string[],
        tooLarge: boolean,
        kept: readonly string[] = [],
      ): Exclusion => ({
        seq: change.sequenceNumber,
        rows: rowKeys.map(rowHash),
        ...(kept.length > 0 ? { kept: kept.map(rowHash) } : {}),
        tooLarge,
        at: exclusionTime(change.approximateTimeMs, now),
      });
      const watermarks = new Map<string, Promise<string | undefined>>();
      const watermarkOf = (rollup: string) => {
        let w = watermarks.get(rollup);
        if (w === undefined) {
          w = withRetry(
            () =>
              readTransactionalWatermark(base.client, base.table, source, input.shardId as string, rollup),
            retrying(base),
          ).then((x) => x.seq);
          watermarks.set(rollup, w);
        }
        return w;
      };
      const refused = await isolateUnrepresentable(rowCtx.unrepresentable, records, rowCtx, {
        refused: (change, rowKey, tooLarge, kept) =>
          recordExclusion(exclusionOf(change, [rowKey], tooLarge, kept), exclusionCtx),
        kept: (change, refusedAt, tooLarge, rowKey) =>
          recordKept(exclusionOf(change, refusedAt, tooLarge), rowKey, exclusionCtx),
        held: (change) => heldByTransactions(change, this.folder, toTransact, watermarkOf),
      });
      poison.push(...refused);
      report.poison += refused.length;
      for (const p of refused) if (p.sequenceNumber !== undefined) excluded.add(p.sequenceNumber);
      await sendLetters(refused);
    }
    const eo = rowCtx.exactlyOnce;
    for (const key of toTransact.keys()) toMark.delete(key); // their transaction marks them
    if (toMark.size > 0) await markTransactional([...toMark.values()], base);
    if (eo !== undefined && toTransact.size > 0) {
      // only now: every per-row write of the batch holds, so the shard's watermark items may pass its records
      const refusedHere = await writeTransactionalRows([...toTransact.values()], {
        ...base,
        source,
        shardId: input.shardId as string,
        attrs: eo.attrs,
        changes: fold.changes,
        folder: this.folder,
        rows: this.transactional,
        excluded,
        exclusions: exclusionCtx,
        prune: {
          horizonSeconds: this.hints.horizonSeconds,
          sampleEvery: this.options.pruneSampleEvery ?? 16,
        },
      });
      // records a transactional row could not take: out of every row they reached, and dead-lettered
      const pendings = await takeBackEach(
        refusedHere.map(({ change, exclusion }) => ({
          change,
          skip: { refused: new Set(exclusion.rows), kept: new Set(exclusion.kept ?? []) },
          onKept: (rowKey: string) => recordKept(exclusion, rowKey, exclusionCtx),
        })),
        rowCtx,
      );
      const late = refusedHere.map(({ change, exclusion, rowKeys, over }, i) =>
        refusedRecord(change, records, rowKeys, exclusion.tooLarge, pendings[i], over),
      );
      for (const p of late) if (p.sequenceNumber !== undefined) excluded.add(p.sequenceNumber);
      poison.push(...late);
      report.poison += late.length;
      await sendLetters(late);
    }
    // a max cannot be taken back: records the store refused are left out of the extrema, not compensated
    const extrema =
      excluded.size === 0 ? plan.extrema : extremaWithout(fold.changes, excluded, this.folder, now);
    if (this.partiql.enabled)
      await writeExtremaBatched(extrema, { ...base, known: this.known, partiql: this.partiql });
    else await writeExtrema(client, this.options.table, extrema, base);
    report.durationMs = Date.now() - started;
    return { report, poison: placed(poison) };
  }

  /**
   * Dead-letters a batch's late records ({@link splitLate}) as `RECORD_TOO_OLD`, each with the rows its probe finds
   * pending, before anything of the batch is written (after, the shard's states would pass them), then applies the
   * rest (its poison placed in `ordered`, the whole batch). A late record an earlier delivery refused for good (its
   * exclusion carried: {@link lateToSettle}) is not probed: it stays with the rest, where the carried
   * exclusions are settled as for a record on time (taken back from the rows it reached, dead-lettered with the
   * refusal's code), since nothing else would take it out of rows whose take-back that delivery cut short.
   */
  private async applyWithoutLate(
    input: ApplyInput,
    ordered: readonly DynamoDBRecord[],
    late: readonly DynamoDBRecord[],
    onTime: readonly DynamoDBRecord[],
    at: { source: string; now: number },
  ): Promise<ApplyResult> {
    const probe = await this.lateLetters(input, ordered, late, onTime, at);
    const sink = this.sinkFor(input);
    const shardId = input.deadLetterShardId ?? (input.shardId as string);
    return this.applyRest(
      probe,
      async (p) => void (await sink?.send(p.map((x) => toDeadLetter(x, at.source, shardId, at.now)))),
      probe.settle,
    );
  }

  /**
   * The late records' `RECORD_TOO_OLD` poison, probed ({@link Applier.applyWithoutLate}), and what is left to apply:
   * reads only, writes and sends nothing.
   */
  private async lateLetters(
    input: ApplyInput,
    ordered: readonly DynamoDBRecord[],
    late: readonly DynamoDBRecord[],
    onTime: readonly DynamoDBRecord[],
    at: { source: string; now: number },
  ): Promise<Omit<LateProbe, 'judged'>> {
    const shardId = input.shardId as string;
    const lateAfter = lateAfterSeconds(this.hints.horizonSeconds);
    const reads = emptyReport(0);
    const pages = new Map<string, number>();
    const { settle, stored, refusedRows } = await lateToSettle(
      late,
      exclusionContext(this.options, { ...at, shardId }, this.rollups, reads, pages),
      { rollups: this.rollups, folder: this.folder, horizonSeconds: this.hints.horizonSeconds },
    );
    const dead = late.filter((r) => !settle.has(r));
    const poison = await tooOldPoison(dead, ordered, { now: at.now, lateAfter }, (record) =>
      pendingRowsOf({
        client: this.options.client,
        table: this.options.table,
        rollups: this.rollups,
        strategy: this.options.strategy === 'transaction' ? 'transaction' : 'row-watermark',
        source: at.source,
        shardId,
        record,
        now: at.now,
        refused: refusedRows.get(record),
      }),
    );
    const kept = new Set(onTime);
    return {
      input,
      poison,
      ordered,
      rest: ordered.filter((r) => settle.has(r) || kept.has(r)),
      settle,
      read: stored === undefined ? undefined : { stored, pages },
      retries: reads.retries,
    };
  }

  /**
   * Sends a probe's letters with `send`, then applies its rest (`settling`: the records not split off as late
   * again), its poison placed in the whole batch.
   */
  private async applyRest(
    probe: Omit<LateProbe, 'judged'>,
    send: (poison: readonly PoisonRecord[]) => Promise<void>,
    settling: ReadonlySet<DynamoDBRecord> | undefined,
  ): Promise<ApplyResult> {
    const out = await afterLateLetters(
      probe.poison,
      send,
      async (): Promise<ApplyResult> =>
        probe.rest.length > 0
          ? await this.applyPart({ ...probe.input, records: probe.rest }, probe.ordered, settling, probe.read)
          : { report: emptyReport(0), poison: [] },
    );
    out.report.retries += probe.retries;
    return out;
  }

  /**
   * Applies a batch's halves ({@link wideBatchHalves}) as two batches, one after the other; each is split again
   * if it must be. A failure in the second leaves the first applied, which a redelivery of the whole batch finds
   * done.
   */
  private async applyInParts(
    input: ApplyInput,
    halves: BatchHalves,
    whole: readonly DynamoDBRecord[],
    settling: ReadonlySet<DynamoDBRecord> | undefined,
  ): Promise<ApplyResult> {
    // each half's poison is placed in the whole batch, its letters too
    const first = await this.applyPart({ ...input, records: halves.first }, whole, settling);
    const second = await this.applyPart({ ...input, records: halves.second }, whole, settling);
    return {
      report: mergeReports(first.report, second.report),
      poison: [...first.poison, ...second.poison],
    };
  }

  /**
   * The stored exclusions of the shard whose records are in this batch (read, or `given`: read for the batch's late
   * records), and those records. Entries whose records are past the redelivery horizon behind this batch's newest
   * record (nothing can deliver them again) are removed; the rest stay, since a row that refused a record may take
   * it later.
   */
  private async carriedExclusions(
    records: readonly DynamoDBRecord[],
    ctx: ExclusionContext,
    given: StoredExclusions | undefined,
  ): Promise<{ records: Map<DynamoDBRecord, Exclusion> }> {
    const stored = given ?? (await readExclusions(ctx));
    if (stored.bySeq.size === 0) return { records: new Map() };
    const out = carriedOf(records, stored.bySeq);
    // past the horizon by the stream's own clock: this batch's newest record (never later than now), so a clock
    // ahead of the stream's never drops an entry a redelivery still needs; a batch without a usable time clears none
    const newest = streamClock(records, ctx.now);
    if (newest === undefined) return { records: out };
    const horizon = newest - this.hints.horizonSeconds;
    const inBatch = new Set([...out.values()].map((x) => x.seq));
    const past = stored.raw.filter((raw) => {
      const x = decodeExclusions([raw.entry]).values().next().value;
      return x !== undefined && x.at > 0 && x.at < horizon && !inBatch.has(x.seq);
    });
    await clearExclusions(past, ctx);
    return { records: out };
  }

  /**
   * Takes carried records back from every row they reached but the ones that refused them and the ones that keep
   * them (an earlier take-back refused there: their letter leaves them out); their poison.
   */
  private async settleCarried(
    carried: { records: Map<DynamoDBRecord, Exclusion> },
    records: readonly DynamoDBRecord[],
    ctx: RowWriteContext,
    exclusionCtx: ExclusionContext,
  ): Promise<PoisonRecord[]> {
    const settled: Array<{ change: Change; x: Exclusion }> = [];
    for (const [record, x] of carried.records) {
      const change = foldBatch(this.rollups, [record], { folder: this.folder }).changes[0];
      if (change !== undefined) settled.push({ change, x });
    }
    const pendings = await takeBackEach(
      settled.map(({ change, x }) => ({
        change,
        skip: { refused: new Set(x.rows), kept: new Set(x.kept ?? []) },
        onKept: (rowKey: string) => recordKept(x, rowKey, exclusionCtx),
      })),
      ctx,
    );
    return settled.map(({ change, x }, i) =>
      refusedRecord(change, records, [], x.tooLarge, pendings[i], x.over),
    );
  }

  /**
   * The rows written per row; those known transactional (every row, under the `transaction` strategy) are
   * collected in `toTransact` instead.
   */
  private perRow(
    rows: readonly RowWrite[],
    toTransact: Map<string, TransactionalRow>,
    all: boolean,
  ): RowWrite[] {
    const out: RowWrite[] = [];
    for (const row of rows) {
      const key = `${row.pk}\u0000${row.sk}`;
      if (all || this.transactional.has(key))
        toTransact.set(key, { rollup: row.rollup, pk: row.pk, sk: row.sk });
      else out.push(row);
    }
    return out;
  }

  private exactlyOnce(): boolean {
    return this.mode === 'exactly-once';
  }

  /** Whether late records are split off and dead-lettered (exactly-once, `lateRecords: 'dead-letter'`). */
  private lateGuard(): boolean {
    return this.exactlyOnce() && (this.options.lateRecords ?? 'dead-letter') === 'dead-letter';
  }

  /** Exactly-once needs the batch's shard id. */
  private checkShardId(input: ApplyInput): void {
    if (this.exactlyOnce() && (input.shardId === undefined || input.shardId === ''))
      throw new DynotallyError(
        'SHARD_ID_MISSING',
        "exactly-once needs the batch's shard id: in Lambda, give the event source mapping a tumbling window (TumblingWindowInSeconds ≥ 1) so events carry shardId, or use mode: 'at-least-once'",
      );
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/**
 * A poison record as a dead letter.
 *
 * @example
 * ```ts
 * await sink.send(poison.map((p) => toDeadLetter(p, streamArn, shardId, Date.now())));
 * ```
 */
export function toDeadLetter(
  p: PoisonRecord,
  source: string,
  shardId: string | undefined,
  at: number,
): DeadLetter {
  return {
    source,
    shardId,
    // the record's own sequence number, as Lambda reports it (batchItemFailures, logs), never the padded form
    sequenceNumber: p.record?.dynamodb?.SequenceNumber ?? p.sequenceNumber ?? `index-${p.index}`,
    eventId: p.record?.eventID,
    code: p.error.code,
    reason: p.error.message,
    record: p.record,
    at,
    ...(p.pendingRows === undefined ? {} : { pendingRows: p.pendingRows }),
  };
}

/** The shard's own state attributes, with the states of the finished shards its writes remove. */
function stateAttrsOf(source: string, shardId: string, finished: readonly string[] | undefined) {
  const drop = finishedStateAttrs(
    source,
    finished?.filter((s) => s !== shardId),
  );
  return { ...shardStateAttrs(source, shardId), drop: drop.length > 0 ? drop : undefined };
}

/**
 * The transaction strategy writes a record's rows and their rollups' watermark items in transactions of at most
 * 100 items and 4 MB (a record's rows in parts of whole rollups when they pass it): a record moving an item between
 * groups touches every row kind of every rollup twice, so rollups that could make more than 99 rows from one record
 * are refused here, as they always were (conservative: the parts would carry them), and so is a rollup whose rows
 * from one record, each counted at the most its kind can hold with the state budget (`rowBytesBound`: the strategy
 * does not learn rows' sizes), pass {@link TRANSACTION_BYTES_BUDGET} with its watermark item: one rollup's rows
 * cannot be split from its item, so every such record would be an `ITEM_TOO_LARGE` dead letter.
 */
function checkOneRecordTransaction(rollups: readonly CompiledRollup[], stateBytes: number): void {
  let rows = 0;
  for (const r of rollups) {
    rows += 2 * r.rows.length;
    let bytes = WATERMARK_ITEM_BYTES;
    for (const kind of r.rows) bytes += 2 * rowBytesBound(r, kind, stateBytes);
    if (bytes > TRANSACTION_BYTES_BUDGET)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `strategy 'transaction' writes one record's rows of rollup '${r.name}' and its watermark item in one transaction (DynamoDB allows 4 MB of items), and they may hold up to ${bytes} bytes (a change of group touches each row kind twice; each row counted at the most it can hold), over the ${TRANSACTION_BYTES_BUDGET} bytes a transaction is given: use the default strategy 'row-watermark', or give the rollup fewer packed cells or shorter last() values`,
        {
          details: {
            strategy: 'transaction',
            rollup: r.name,
            bytesPerRecord: bytes,
            limit: TRANSACTION_BYTES_BUDGET,
          },
        },
      );
  }
  if (rows > 99)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `strategy 'transaction' writes one record's rows in transactions of at most 100 items, and these ${rollups.length} rollups can make ${rows} rows from one record (a change of group touches each row kind twice): use the default strategy 'row-watermark', or give this applier fewer rollups`,
      { details: { strategy: 'transaction', rowsPerRecord: rows, limit: 99 } },
    );
}

const MODES: readonly string[] = ['exactly-once', 'at-least-once'];
const STRATEGIES: readonly string[] = ['row-watermark', 'transaction'];

/** Options from plain JavaScript or an environment variable are checked: a typo must not drop exactly-once. */
function checkApplierOptions(options: ApplierOptions): void {
  const bad = (name: string, value: unknown, expected: string) =>
    new DynotallyError('CONFIG_INVALID', `${name} is ${shownValue(value)}: expected ${expected}`, {
      details: { [name]: shownDetail(value) },
    });
  checkTableName(options.table, 'table');
  if (options.mode !== undefined && !MODES.includes(options.mode))
    throw bad('mode', options.mode, "'exactly-once' (the default) or 'at-least-once'");
  if (options.strategy !== undefined && !STRATEGIES.includes(options.strategy))
    throw bad('strategy', options.strategy, "'row-watermark' (the default) or 'transaction'");
  const budget = options.stateBudgetBytes;
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0 && budget <= 300_000))
    throw bad(
      'stateBudgetBytes',
      budget,
      'a whole number of bytes from 0 to 300000 (default 2048), well below the 400 KB item limit',
    );
  const c = options.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1))
    throw bad('concurrency', c, 'a whole number of parallel writes, 1 or more (default 32)');
  checkLateRecords(options.lateRecords);
}
