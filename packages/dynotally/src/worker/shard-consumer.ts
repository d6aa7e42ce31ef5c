import {
  type _Record,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { paddedSequence } from '../decode/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import type { StreamBatchEvent, StreamBatchResponse } from '../handler/index.ts';
import type { Logger } from '../logging/index.ts';
import { readStreamRecord } from '../streams/index.ts';
import { trimmedRecordsMayBeLost } from '../streams/trim-loss.ts';
import { LEASE_FENCE_MS } from '../versions/lease-fence.ts';
import {
  approximateCreationMs,
  type BatchFailure,
  type BatchOutcome,
  type FailurePolicy,
  processBatch,
  type SkipCode,
} from './batch-processor.ts';
import { boundedRead } from './bounded-read.ts';
import { errorName } from './error-name.ts';
import { findLatestPin } from './latest-pin.ts';
import { historyPrefix } from './latest-start.ts';
import { SHARD_END, type ShardLease } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';
import { settleWithin } from './settle-within.ts';
import { sleep } from './sleep.ts';
import type { ShardProgress } from './worker-stats.ts';

/**
 * How long the worker's shard listing (`DescribeStream`, shared by its consumers) is kept; a shard refused with
 * `ResourceNotFoundException` is taken as trimmed only when listings at least this far apart both lack it.
 *
 * @example
 * ```ts
 * SHARD_LISTING_MS; // 5000
 * ```
 */
export const SHARD_LISTING_MS = 5_000;

/**
 * Records asked of one `GetRecords` (the API's maximum), whatever the batch size: the page is cut into batches of
 * `batchSize`, so a shard catching up is read in few calls, as Lambda's event source mapping does. A page is at most
 * 1 MB on AWS, which bounds what a consumer holds besides its batch.
 *
 * @example
 * ```ts
 * READ_PAGE_LIMIT; // 1000
 * ```
 */
export const READ_PAGE_LIMIT = 1_000;

/**
 * The least time between the starts of two `GetRecords` of one shard: 4 a second, as Lambda's event source mapping
 * polls. A shard takes 5 calls a second and a call past that is refused (`LimitExceededException`); spacing them at
 * exactly 200 ms left no margin, and a little jitter between the worker's clock and the service's (or the network's)
 * put a sixth call inside a second (CI, at load). Before review s42w, a full page was followed by the next call as soon
 * as its batch was applied, and a small batch size read a shard catching up many times a second.
 *
 * @example
 * ```ts
 * MIN_READ_INTERVAL_MS; // 250
 * ```
 */
export const MIN_READ_INTERVAL_MS = 250;

/**
 * Why a shard consumer stopped.
 *
 * @example
 * ```ts
 * const exit: ConsumerExit = await consumer.run(); // 'ended' after SHARD_END
 * ```
 */
export type ConsumerExit = 'ended' | 'stopped' | 'released' | 'lost' | 'expired' | 'failed' | 'hung';

/**
 * What a shard consumer shares with its worker.
 *
 * @example
 * ```ts
 * const consumer = new ShardConsumer(context satisfies ConsumerContext, lease, lease.expiresAt);
 * ```
 */
export interface ConsumerContext {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  leases: LeaseStore;
  /** The Lambda handler (`createStreamHandler`): the same code path as in Lambda. */
  handler: (event: StreamBatchEvent) => Promise<StreamBatchResponse>;
  /** The error the handler logged for the shard's last failed batch. */
  lastError(shardId: string): unknown;
  deadLetter(
    shardId: string,
    records: readonly DynamoDBRecord[],
    code: SkipCode,
    reason: string,
    /** Sequence number the checkpoint moves to right after (committed with the letters when the sink can). */
    through?: string,
    /**
     * Whether the consumer still holds the lease: checked before the letters are sent, so a call given up as hung
     * (`APPLY_TIMEOUT`) that wakes up later stores nothing.
     */
    held?: () => boolean,
  ): Promise<void>;
  /** A batch attempt failed (live, before its backoff). */
  onFailure?(shardId: string, failure: BatchFailure): void;
  logger: Logger;
  batchSize: number;
  batchWindowMs: number;
  pollIntervalMs: number;
  policy: FailurePolicy;
  /** After every batch (stats, progress callbacks). */
  onBatch(consumer: ShardConsumer, records: readonly DynamoDBRecord[], outcome: BatchOutcome): void;
  onError(shardId: string, error: unknown): void;
  /** The lease could not be released at the consumer's exit (it expires on its own): counted for the stop's report. */
  onReleaseFailed?(shardId: string, error: unknown): void;
  /**
   * Whether the stream's `DescribeStream` still lists the shard (false: trimmed, gone); rejects when the stream could
   * not be described. Asked only after a `ResourceNotFoundException` for the shard; "not listed" only by a listing
   * taken at or after `since` (when the consumer started, after a listing had the shard: an older one may predate it).
   */
  shardListed(shardId: string, since: number): Promise<boolean>;
  /** How long a shard's refusals (`ResourceNotFoundException`, no success between) last before it is taken as gone. */
  shardGoneAfterMs: number;
  /** How long one handler call, or one call of the dead-letter sink, may take before it is taken as hung (`Infinity`: never). */
  applyTimeoutMs: number;
  /** How long one stream read (`GetRecords`, `GetShardIterator`) may take before it is given up (`Infinity`: never). */
  readTimeoutMs: number;
}

/**
 * Reads one shard while this worker holds its lease: polls `GetRecords`, fills batches by size and by the
 * batching window, hands them to the batch processor (the Lambda handler with retry, bisection and
 * dead-letter semantics), checkpoints, and follows the shard to its end (`NextShardIterator` null ⇒
 * checkpoint `SHARD_END`). Expired iterators are re-opened after the last record read; a checkpoint the stream
 * has trimmed restarts at `TRIM_HORIZON` (with a warning: those records are gone), skipping records at or before
 * what it had read. A `LATEST` lease without
 * checkpoint is opened at `LATEST` once (`latestFrom`) and pinned when given up; after that, by `latestFrom`.
 *
 * @example
 * ```ts
 * const consumer = new ShardConsumer(context, lease, Date.now() + 10_000);
 * const exit = await consumer.run(); // 'ended' | 'stopped' | 'released' | 'lost' | …
 * ```
 */
export class ShardConsumer {
  readonly shardId: string;
  /** Local lease expiry (epoch ms), moved by every successful renewal. */
  expiresAt: number;
  private stopMode: 'stop' | 'release' | undefined;
  private lost = false;
  /** A handler or dead-letter call did not settle within `applyTimeoutMs`: the batch is abandoned and the lease given up. */
  private hung = false;
  /** Set before the `SHARD_END` checkpoint is sent: it gives the lease up, so a renewal that meets it fails. */
  private ending = false;
  private readonly abort = new AbortController();
  private checkpointValue: string | undefined;
  /** Sequence number of the last record read (buffered or processed). */
  private position: string | undefined;
  private state: ShardProgress['state'] = 'reading';
  private buffered = 0;
  private lastPageEmpty = false;
  private lastReadAt: number | undefined;
  private records = 0;
  private batches = 0;
  private lastRecordAt: number | undefined;
  private iteratorAgeMs: number | undefined;
  private failing: ShardProgress['failing'];
  /** Epoch ms at which this consumer opened the lease at `LATEST` (its `latestFrom`). */
  private latestFrom: number | undefined;
  /**
   * Set while this consumer reads from its own `LATEST` position without a checkpoint yet: its current iterator and
   * the first record it read, what it pins the lease to when it gives the lease up (see {@link findLatestPin}).
   */
  private latest: { iterator?: string | undefined; first?: string | undefined } | undefined;
  /** A `LATEST` lease resumed by its `latestFrom`: records before it are skipped, until the first one counted. */
  private historyFrom: number | undefined;
  /**
   * Set when a `TrimmedDataAccessException` re-opened the shard at `TRIM_HORIZON`: the position (padded) read up to
   * then. Records at or before it were read already (checkpointed, dead-lettered or buffered) and are skipped; on
   * DynamoDB Local, which throws it on fresh shards, the horizon is before them.
   */
  private readThrough: string | undefined;
  /** Since when the shard's reads have answered `ResourceNotFoundException` with no success between. */
  private refusedSince: number | undefined;
  /** Since when the worker's shard listings have not had this shard (within a streak of refusals). */
  private unlistedSince: number | undefined;
  /** `GetShardIterator` calls refused with `ResourceNotFoundException` (and retried) so far. */
  private refusals = 0;
  /** When this consumer was made: its lease exists, so a listing had the shard before this. */
  private readonly startedAt = Date.now();

  constructor(
    private readonly ctx: ConsumerContext,
    readonly lease: ShardLease,
    expiresAt: number,
    /** Finished ancestors of the shard (see `finishedAncestors`), handed to every batch that starts at or after `from`. */
    private readonly finished: { readonly shards: readonly string[]; readonly from: number } = {
      shards: [],
      from: 0,
    },
  ) {
    this.shardId = lease.shardId;
    this.expiresAt = expiresAt;
    this.checkpointValue = lease.checkpoint;
    this.position = lease.checkpoint;
    // A pin may sit before history its skim stopped short of (on AWS an empty page is not always the tip): what
    // follows a LATEST lease's checkpoint is skipped while it predates latestFrom (nothing written since the LATEST
    // open can, so after a real checkpoint this skips nothing).
    if (lease.startAt === 'LATEST' && lease.checkpoint !== undefined && lease.checkpoint !== SHARD_END)
      this.historyFrom = lease.latestFrom;
  }

  /** Finish the batch in flight (or abandon its retries), then stop; `release` gives the lease to another worker. */
  requestStop(mode: 'stop' | 'release'): void {
    this.stopMode ??= mode;
    this.state = 'stopping';
    this.abort.abort();
  }

  /** The lease was taken over: stop at once, without checkpointing or releasing. */
  markLost(): void {
    this.lost = true;
    this.abort.abort();
  }

  get stopping(): boolean {
    return this.stopMode !== undefined || this.lost || this.hung;
  }

  /**
   * The shard is read to its end and its `SHARD_END` checkpoint sent (or made): that checkpoint gives the lease up, so
   * a renewal that lands after it fails without anyone having taken the shard over. Whether the lease was lost
   * instead is told by the checkpoint's own answer.
   */
  get finishing(): boolean {
    return this.ending;
  }

  progress(now = Date.now()): ShardProgress {
    const caughtUp = this.lastPageEmpty && this.buffered === 0 && this.state !== 'processing';
    return {
      shardId: this.shardId,
      parentShardId: this.lease.parentShardId,
      state: this.state,
      checkpoint: this.checkpointValue,
      records: this.records,
      batches: this.batches,
      lastRecordAt: this.lastRecordAt,
      iteratorAgeMs: this.iteratorAgeMs,
      millisBehindLatest:
        caughtUp || this.state === 'ended'
          ? 0
          : this.lastReadAt === undefined
            ? undefined
            : Math.max(0, now - this.lastReadAt),
      caughtUp: caughtUp || this.state === 'ended',
      ...(this.failing === undefined ? {} : { failing: { ...this.failing } }),
    };
  }

  /**
   * Whether this consumer still holds its lease: not lost, no handler call of it taken as hung (its lease is given
   * up), and not within {@link LEASE_FENCE_MS} of its end (renewals move the end). A batch checks it before each
   * request (`ApplyInput.leaseHeld`), so a hung call that wakes up later sends nothing more.
   */
  private readonly leaseHeld = (): boolean =>
    !this.lost && !this.hung && Date.now() < this.expiresAt - LEASE_FENCE_MS;

  /** Stopping, or the lease within {@link LEASE_FENCE_MS} of its end (another worker may take it by its clock). */
  private aborted(): boolean {
    return this.stopping || Date.now() >= this.expiresAt - LEASE_FENCE_MS;
  }

  /** Reads the shard until it ends, the worker stops or the lease is lost. Never throws. */
  async run(): Promise<ConsumerExit> {
    let exit: ConsumerExit;
    try {
      exit = await this.loop();
    } catch (e) {
      if (isDynotallyError(e, 'LEASE_LOST')) exit = 'lost';
      // a refusal waited out until the worker stopped, handed the shard over or the lease ran out: no failure
      else if (errorName(e) === 'ResourceNotFoundException' && this.aborted()) exit = this.abandoned();
      // a read ended by the stop or the lost lease (its signal): no failure either
      else if (errorName(e) === 'AbortError' && this.abort.signal.aborted) exit = this.abandoned();
      else {
        this.ctx.onError(this.shardId, e);
        this.ctx.logger.error('shard consumer failed; the lease is given up and will be taken again', {
          shardId: this.shardId,
          error: e,
        });
        exit = 'failed';
      }
    }
    if (exit === 'ended') return exit;
    if (this.lost) return 'lost';
    if (exit === 'stopped' || exit === 'released') await this.pinLatest();
    // After 'expired' the release fails harmlessly when another worker has taken the lease meanwhile.
    if (
      exit === 'stopped' ||
      exit === 'released' ||
      exit === 'failed' ||
      exit === 'expired' ||
      exit === 'hung'
    ) {
      try {
        await this.ctx.leases.release(this.shardId);
      } catch (e) {
        this.ctx.onReleaseFailed?.(this.shardId, e);
        this.ctx.logger.warn('could not release the lease; it expires on its own', {
          shardId: this.shardId,
          error: e,
        });
      }
    }
    return exit;
  }

  private async loop(): Promise<ConsumerExit> {
    let iterator: string | undefined = await this.openIterator();
    if (iterator === undefined) return this.finish();
    let buffer: DynamoDBRecord[] = [];
    let windowStart = 0;
    let readStartedAt: number | undefined;
    for (;;) {
      if (this.lost) return 'lost';
      if (this.stopMode !== undefined) return this.stopMode === 'release' ? 'released' : 'stopped';
      if (Date.now() >= this.expiresAt) return 'expired';
      // a shard takes 5 GetRecords a second: a call right after a full page waits for its turn (on the monotonic
      // clock: a timer may fire a millisecond early by Date.now())
      if (readStartedAt !== undefined) {
        await sleep(Math.ceil(readStartedAt + MIN_READ_INTERVAL_MS - performance.now()), this.abort.signal);
        if (this.abort.signal.aborted) return this.abandoned();
      }
      const limit = READ_PAGE_LIMIT;
      let page: GetRecordsCommandOutput;
      try {
        readStartedAt = performance.now();
        const command = new GetRecordsCommand({ ShardIterator: iterator, Limit: limit });
        page = await boundedRead(this.abort.signal, this.ctx.readTimeoutMs, (abortSignal) =>
          this.ctx.streams.send(command, { abortSignal }),
        );
      } catch (e) {
        // stopped or the lease lost meanwhile (the read was ended for it)
        if (this.abort.signal.aborted) return this.abandoned();
        const name = errorName(e);
        if (name === 'ExpiredIteratorException') {
          iterator = await this.openIterator();
          if (iterator === undefined) return this.finish(buffer);
          continue;
        }
        if (name === 'TrimmedDataAccessException') {
          // only a stream older than 24 h can have trimmed anything (DynamoDB Local throws this on fresh shards)
          if (trimmedRecordsMayBeLost({ streamArn: this.ctx.streamArn, now: Date.now() })) {
            this.ctx.logger.warn(
              'the stream trimmed records this shard had not read yet (older than 24 h): continuing at TRIM_HORIZON',
              { shardId: this.shardId, position: this.position },
            );
          } else {
            this.ctx.logger.debug?.(
              'TrimmedDataAccessException from a stream younger than 24 h (nothing can have been trimmed): continuing at TRIM_HORIZON',
              { shardId: this.shardId, position: this.position },
            );
          }
          iterator = await this.reopenAtHorizon();
          if (iterator === undefined) return this.finish(buffer);
          continue;
        }
        if (name === 'ResourceNotFoundException') {
          // the iterator is re-opened after the last record read, once the refusal is over (or the shard is gone)
          if (await this.shardGone(e)) return this.finish(buffer);
          iterator = await this.openIterator();
          if (iterator === undefined) return this.finish(buffer);
          continue;
        }
        this.ctx.onError(this.shardId, e);
        if (name === 'TimeoutError' || name === 'AbortError')
          // given up after readTimeoutMs (a connection that never answers): the same iterator is read again, after the
          // wait of any failed read, so a bound shorter than the reads take is no loop of given-up requests (review s38x)
          this.ctx.logger.warn(
            `GetRecords did not answer within readTimeoutMs (${this.ctx.readTimeoutMs} ms); reading again from the same position`,
            { shardId: this.shardId },
          );
        else this.ctx.logger.warn('GetRecords failed; retrying', { shardId: this.shardId, error: e });
        await sleep(Math.max(this.ctx.pollIntervalMs, 500), this.abort.signal);
        continue;
      }
      this.refusedSince = undefined;
      this.unlistedSince = undefined;
      const read = page.Records ?? [];
      const got = this.skipRead(this.skipHistory(read));
      if (got.length > 0) {
        if (buffer.length === 0) windowStart = Date.now();
        // a record this SDK build cannot read goes on marked, to be dead-lettered in its place: never a blocked shard
        for (const r of got) buffer.push(readStreamRecord(r, this.ctx.streamArn));
      }
      if (read.length > 0) {
        // never back: records a re-open at TRIM_HORIZON reads again are before the position
        this.position = laterOf(this.position, read[read.length - 1]?.dynamodb?.SequenceNumber);
        const t = read[read.length - 1]?.dynamodb?.ApproximateCreationDateTime;
        if (t !== undefined) this.lastReadAt = t.getTime();
      }
      this.lastPageEmpty = read.length === 0;
      this.buffered = buffer.length;
      iterator = page.NextShardIterator ?? undefined;
      if (this.latest !== undefined) {
        this.latest.first ??= read[0]?.dynamodb?.SequenceNumber;
        this.latest.iterator = iterator;
      }
      const ended = iterator === undefined;
      const windowOver = Date.now() - windowStart >= this.ctx.batchWindowMs;
      // a page holds up to READ_PAGE_LIMIT records: full batches go one after another, and the rest with them once
      // the shard ended or the batching window is over (else it waits for the next page)
      while (
        buffer.length > 0 &&
        (ended || buffer.length >= this.ctx.batchSize || windowOver) &&
        this.stopMode === undefined
      ) {
        const batch = buffer.slice(0, this.ctx.batchSize);
        buffer = buffer.slice(batch.length);
        this.buffered = buffer.length;
        // Abandoned part way: stop here. Reading on would pass the unfinished records; the next owner (or
        // this worker, after taking the lease again) resumes from the checkpoint.
        if (!(await this.process(batch))) return this.abandoned();
        if (buffer.length > 0) windowStart = Date.now();
      }
      this.buffered = buffer.length;
      if (this.stopMode !== undefined && buffer.length > 0) return this.abandoned();
      if (ended) return this.finish(buffer);
      if (read.length < limit) {
        const wait =
          buffer.length > 0
            ? Math.min(this.ctx.pollIntervalMs, windowStart + this.ctx.batchWindowMs - Date.now())
            : this.ctx.pollIntervalMs;
        await sleep(wait, this.abort.signal);
      }
    }
  }

  private abandoned(): ConsumerExit {
    if (this.lost) return 'lost';
    if (this.hung) return 'hung';
    if (this.stopMode !== undefined) return this.stopMode === 'release' ? 'released' : 'stopped';
    return 'expired';
  }

  private async process(records: DynamoDBRecord[]): Promise<boolean> {
    this.state = 'processing';
    const outcome = await processBatch(records, this.ctx.policy, {
      handle: (rs) =>
        this.timed(
          'handler',
          rs.length,
          this.ctx.handler({
            Records: [...rs],
            shardId: this.shardId,
            eventSourceARN: this.ctx.streamArn,
            leaseExpiresAt: this.expiresAt,
            leaseHeld: this.leaseHeld,
            ...(this.finished.shards.length === 0 || Date.now() < this.finished.from
              ? {}
              : { finishedShards: this.finished.shards }),
          }),
        ),
      lastError: () => this.ctx.lastError(this.shardId),
      deadLetter: (rs, code, reason, through) =>
        this.timed(
          'dead-letter',
          rs.length,
          this.ctx.deadLetter(
            this.shardId,
            rs,
            code,
            reason,
            through?.dynamodb?.SequenceNumber,
            this.leaseHeld,
          ),
        ),
      onFailure: (f) => {
        this.failing = {
          attempts: f.attempt,
          records: f.records,
          lastError: f.error,
          backoffMs: f.backoffMs,
          stage: f.stage,
          since: this.failing?.since ?? Date.now(),
          ...(f.waiting === undefined ? {} : { waiting: f.waiting }),
        };
        this.ctx.onFailure?.(this.shardId, f);
      },
      onRecovered: () => {
        this.failing = undefined;
      },
      checkpoint: (r) => this.checkpoint(r.dynamodb?.SequenceNumber),
      aborted: () => this.aborted(),
      sleep: (ms) => sleep(ms, this.abort.signal),
      now: Date.now,
    });
    if (this.state === 'processing') this.state = 'reading';
    this.buffered = 0;
    const handled = outcome.processed + outcome.deadLettered;
    if (handled > 0) {
      this.records += handled;
      this.batches += 1;
      const last = records[records.length - 1];
      const at = last === undefined ? undefined : approximateCreationMs(last);
      if (at !== undefined) {
        this.lastRecordAt = at;
        this.iteratorAgeMs = Math.max(0, Date.now() - at);
      }
    }
    this.ctx.onBatch(this, records, outcome);
    return outcome.completed;
  }

  /**
   * A call of the handler (`handler`) or of the dead-letter sink (`dead-letter`), given up after `applyTimeoutMs`: the
   * call is taken as hung (a write side, a sink or a request that never answers), this consumer stops (`leaseHeld`
   * false from now on, so a write side that checks it sends nothing more, and the worker sends no letter), and the
   * batch is abandoned without a checkpoint: the lease is released and the records are redelivered to the next
   * owner. Whatever the hung call does when it settles is ignored (logged).
   */
  private timed<T>(stage: 'handler' | 'dead-letter', records: number, call: Promise<T>): Promise<T> {
    const limit = this.ctx.applyTimeoutMs;
    const what = stage === 'handler' ? 'apply' : 'dead-letter';
    return settleWithin(
      call,
      limit,
      () => {
        this.hung = true;
        this.state = 'stopping';
        this.abort.abort();
        const error = new DynotallyError(
          'APPLY_TIMEOUT',
          stage === 'handler'
            ? `the write side did not answer a batch of ${records} records of shard ${this.shardId} within applyTimeoutMs (${limit} ms): the batch is abandoned without a checkpoint and the lease given up, so the shard is read again by another worker (or by this one after two lease durations); raise applyTimeoutMs if batches legitimately take this long`
            : `the dead-letter sink did not store ${records} skipped records of shard ${this.shardId} within applyTimeoutMs (${limit} ms): the batch is abandoned without a checkpoint past them and the lease given up, so the shard is read again by another worker (or by this one after two lease durations); check the sink`,
          { details: { shardId: this.shardId, records, applyTimeoutMs: limit, stage } },
        );
        this.ctx.onError(this.shardId, error);
        this.ctx.logger.error(`${what} timed out; the shard lease is given up`, {
          shardId: this.shardId,
          code: error.code,
          stage,
          error,
        });
        return error;
      },
      (late) =>
        late.ok
          ? this.ctx.logger.warn(`a hung ${what} call settled after its timeout; its result is ignored`, {
              shardId: this.shardId,
              afterMs: late.afterMs,
            })
          : this.ctx.logger.warn(`a hung ${what} call failed after its timeout; ignored`, {
              shardId: this.shardId,
              afterMs: late.afterMs,
              error: late.error,
            }),
    );
  }

  private async checkpoint(seq: string | undefined): Promise<void> {
    if (seq === undefined) return;
    let held: boolean;
    try {
      held = await this.ctx.leases.checkpoint(this.shardId, seq);
    } catch (e) {
      // The next checkpoint covers this one; a replay from the older one is deduplicated by exactly-once.
      this.ctx.onError(this.shardId, e);
      this.ctx.logger.warn('checkpoint failed; continuing', {
        shardId: this.shardId,
        sequenceNumber: seq,
        error: e,
      });
      return;
    }
    if (!held) {
      this.lost = true;
      throw new DynotallyError(
        'LEASE_LOST',
        `another worker took over shard ${this.shardId}: this worker stops reading it`,
        { details: { shardId: this.shardId } },
      );
    }
    this.checkpointValue = seq;
    this.latest = undefined; // the checkpoint holds the position from now on
  }

  /** Processes what is buffered, then records SHARD_END (which also releases the lease). */
  private async finish(buffer: DynamoDBRecord[] = []): Promise<ConsumerExit> {
    if (buffer.length > 0 && !(await this.process(buffer))) return this.abandoned();
    this.ending = true;
    const held = await this.ctx.leases.checkpoint(this.shardId, SHARD_END);
    if (!held) {
      this.lost = true;
      return 'lost';
    }
    this.checkpointValue = SHARD_END;
    this.state = 'ended';
    this.lastPageEmpty = true;
    return 'ended';
  }

  /** An iterator after the last record read, else at the checkpoint, else at the lease's start; `undefined`: the shard is gone. */
  private async openIterator(): Promise<string | undefined> {
    if (this.position !== undefined && this.position !== SHARD_END) {
      try {
        return await this.iteratorOf('AFTER_SEQUENCE_NUMBER', this.position);
      } catch (e) {
        if (errorName(e) !== 'TrimmedDataAccessException') throw e;
        if (trimmedRecordsMayBeLost({ streamArn: this.ctx.streamArn, now: Date.now() })) {
          this.ctx.logger.warn(
            'the checkpoint is older than the stream retention (24 h): continuing at TRIM_HORIZON; records in between are gone',
            { shardId: this.shardId, checkpoint: this.position },
          );
        }
      }
      return this.reopenAtHorizon();
    }
    return this.openStart();
  }

  /**
   * Opens a lease without checkpoint. `TRIM_HORIZON` as it says. A `LATEST` lease nobody has opened yet is marked
   * opened now (`latestFrom`, conditional on holding it) before `GetShardIterator(LATEST)`; one opened before (an earlier
   * owner that could not pin it, or this consumer after its iterator expired) is read from `TRIM_HORIZON`, the
   * records from before `latestFrom` skipped ({@link historyPrefix}), so nothing written since it is missed.
   */
  private async openStart(): Promise<string | undefined> {
    if (this.lease.startAt !== 'LATEST') {
      // pinned to TRIM_HORIZON by a skim that found nothing: on AWS an empty page is not always the tip, so what it
      // did not see is skipped while it predates latestFrom, as after a checkpoint pin
      this.historyFrom = this.lease.latestFrom;
      return this.iteratorOf('TRIM_HORIZON');
    }
    const from = this.latestFrom ?? this.lease.latestFrom;
    if (from !== undefined) {
      this.latest = undefined;
      this.historyFrom = from;
      return this.iteratorOf('TRIM_HORIZON');
    }
    const now = Date.now();
    if (!(await this.ctx.leases.openLatest(this.shardId, now))) {
      this.lost = true;
      throw new DynotallyError(
        'LEASE_LOST',
        `another worker took over shard ${this.shardId}: this worker stops reading it`,
        { details: { shardId: this.shardId } },
      );
    }
    this.latestFrom = now;
    const refusals = this.refusals;
    const iterator = await this.iteratorOf('LATEST');
    if (iterator !== undefined && this.refusals !== refusals) {
      // refused first: the LATEST position it finally got is later than latestFrom, and what was written in between
      // would be skipped (and pinned past); read from TRIM_HORIZON by latestFrom instead, as after a crash
      this.historyFrom = now;
      return this.iteratorOf('TRIM_HORIZON');
    }
    this.latest = { iterator };
    return iterator;
  }

  /** Drops the records of a page that a `LATEST` lease resumed by its `latestFrom` counts as history. */
  /**
   * Re-opens the shard at `TRIM_HORIZON` after a `TrimmedDataAccessException`, skipping what was read before it
   * ({@link readThrough}): a record read again would be applied again, or re-applied after its dead letter.
   */
  private reopenAtHorizon(): Promise<string | undefined> {
    const through = this.position === SHARD_END ? undefined : paddedSequence(this.position);
    if (through !== undefined && (this.readThrough === undefined || through > this.readThrough))
      this.readThrough = through;
    return this.iteratorOf('TRIM_HORIZON');
  }

  /** Drops records at or before {@link readThrough}; the first record past it ends the skipping. */
  private skipRead(records: _Record[]): _Record[] {
    const through = this.readThrough;
    if (through === undefined || records.length === 0) return records;
    let skip = 0;
    while (
      skip < records.length &&
      (paddedSequence(records[skip]?.dynamodb?.SequenceNumber) ?? '') <= through
    )
      skip++;
    if (skip < records.length) this.readThrough = undefined;
    if (skip === 0) return records;
    this.ctx.logger.debug?.('records read before the TRIM_HORIZON re-open skipped', {
      shardId: this.shardId,
      count: skip,
    });
    return records.slice(skip);
  }

  private skipHistory(records: _Record[]): _Record[] {
    if (this.historyFrom === undefined || records.length === 0) return records;
    const skip = historyPrefix(records, this.historyFrom);
    if (skip < records.length) this.historyFrom = undefined; // the first record counted ends the history
    if (skip === 0) return records;
    this.ctx.logger.debug?.('records from before the LATEST position skipped', {
      shardId: this.shardId,
      count: skip,
    });
    return records.slice(skip);
  }

  /**
   * A consumer that opened the lease at `LATEST` and gives it up before any checkpoint pins its position, so the
   * next owner neither opens `LATEST` again (missing what was written in between) nor counts the history: a
   * checkpoint after the last record before that position, or `TRIM_HORIZON` when there is none. Without a pin (out
   * of time, an error) the next owner resumes by `latestFrom`.
   */
  private async pinLatest(): Promise<void> {
    const latest = this.latest;
    if (latest === undefined || this.checkpointValue !== undefined) return;
    try {
      const pin = await findLatestPin({
        streams: this.ctx.streams,
        streamArn: this.ctx.streamArn,
        shardId: this.shardId,
        first: latest.first,
        tail: latest.iterator,
        deadline: this.expiresAt - LEASE_FENCE_MS,
      });
      if (pin === undefined) {
        this.ctx.logger.warn('could not pin the LATEST position; the next owner resumes by latestFrom', {
          shardId: this.shardId,
        });
        return;
      }
      if (pin.kind === 'checkpoint') {
        // only where no checkpoint is: one that failed on every attempt here may have been applied all the same
        if (await this.ctx.leases.checkpoint(this.shardId, pin.sequenceNumber, { onlyIfNone: true }))
          this.checkpointValue = pin.sequenceNumber;
      } else await this.ctx.leases.startAtHorizon(this.shardId);
    } catch (e) {
      this.ctx.onError(this.shardId, e);
      this.ctx.logger.warn('could not pin the LATEST position; the next owner resumes by latestFrom', {
        shardId: this.shardId,
        error: e,
      });
    }
  }

  /**
   * A shard iterator, or `undefined` when the shard is gone. A `ResourceNotFoundException` is retried while
   * {@link ShardConsumer.shardGone} does not confirm it (the worker stopping meanwhile rethrows it).
   */
  private async iteratorOf(type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined> {
    for (;;) {
      try {
        const command = new GetShardIteratorCommand({
          StreamArn: this.ctx.streamArn,
          ShardId: this.shardId,
          ShardIteratorType: type,
          ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
        });
        const out = await boundedRead(this.abort.signal, this.ctx.readTimeoutMs, (abortSignal) =>
          this.ctx.streams.send(command, { abortSignal }),
        );
        // the refusals end with a page read (GetRecords), not here: a shard whose iterators open but whose reads are
        // refused would restart its grace at every re-open, and be held for good
        return out.ShardIterator ?? undefined;
      } catch (e) {
        if (errorName(e) !== 'ResourceNotFoundException') throw e;
        this.refusals++;
        if (await this.shardGone(e)) return undefined;
        if (this.aborted()) throw e;
      }
    }
  }

  /**
   * After a `ResourceNotFoundException` for the shard: true when it is gone, confirmed by `DescribeStream` no longer
   * listing it (trimmed: two listings at least {@link SHARD_LISTING_MS} apart), or by refusals with no page read
   * between for `shardGoneAfterMs` (a stream that cannot be described any more: its table deleted). Otherwise (a shard the stream still lists: an endpoint's eventual
   * consistency) waits a moment and returns false: marking a live shard read to its end would lose every change
   * written to it since the checkpoint, for every worker.
   */
  private async shardGone(refusal: unknown): Promise<boolean> {
    const now = Date.now();
    const first = this.refusedSince === undefined;
    this.refusedSince ??= now;
    let listed: boolean | undefined;
    try {
      listed = await this.ctx.shardListed(this.shardId, this.startedAt);
    } catch (e) {
      this.ctx.onError(this.shardId, e);
    }
    if (listed === false) {
      // one listing is no more proof than one refusal: a second one, taken at least SHARD_LISTING_MS later, must agree
      this.unlistedSince ??= now;
      if (now - this.unlistedSince >= SHARD_LISTING_MS) {
        this.ctx.logger.warn(
          'the stream no longer has this shard (trimmed): marking it finished; records it held that were not read are gone',
          { shardId: this.shardId },
        );
        return true;
      }
    } else this.unlistedSince = undefined;
    if (now - this.refusedSince >= this.ctx.shardGoneAfterMs) {
      this.ctx.logger.error(
        'the shard has answered ResourceNotFoundException for streamGoneAfterMs with no success between: taken as gone (its stream deleted) and marked finished; records it held that were not read are lost',
        { shardId: this.shardId, since: new Date(this.refusedSince).toISOString(), error: refusal },
      );
      return true;
    }
    if (first)
      this.ctx.logger.warn(
        listed === true
          ? 'ResourceNotFoundException for a shard its stream still lists: retrying'
          : 'ResourceNotFoundException for a shard, and its stream could not be described: retrying',
        { shardId: this.shardId, goneAfterMs: this.ctx.shardGoneAfterMs, error: refusal },
      );
    this.ctx.onError(this.shardId, refusal);
    await sleep(Math.max(this.ctx.pollIntervalMs, 1_000), this.abort.signal);
    return false;
  }
}

/** The later of two sequence numbers (by value); `a` when `b` is missing. */
function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (b === undefined) return a;
  if (a === undefined || a === SHARD_END) return a ?? b;
  const pa = paddedSequence(a);
  const pb = paddedSequence(b);
  return pa === undefined || pb === undefined || pb > pa ? b : a;
}
