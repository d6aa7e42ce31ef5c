import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { exclusionContext } from '../apply/exclusions.ts';
import { extremaWithout } from '../apply/extrema-without.ts';
import { fencedClient } from '../apply/fenced-client.ts';
import { type ExclusionsRead, givenExclusions } from '../apply/given-exclusions.ts';
import {
  Applier,
  type ApplyInput,
  type ApplyReport,
  type ApplyResult,
  emptyReport,
  type RetryOptions,
  type RollupLike,
  toDeadLetter,
  type WriteOptions,
} from '../apply/index.ts';
import { afterLateLetters } from '../apply/late-letters.ts';
import { checkLateRecords, lateAfterSeconds, splitLate } from '../apply/late-records.ts';
import { lateToSettle } from '../apply/late-settle.ts';
import { placedIn } from '../apply/poison-place.ts';
import { sendDeadline } from '../apply/send-deadline.ts';
import { refusedRecord } from '../apply/unrepresentable.ts';
import { writeExtrema } from '../apply/write-extrema.ts';
import type { DeadLetterSink } from '../dead-letter/index.ts';
import { type Change, orderBatch, padSequence } from '../decode/index.ts';
import { batchStream } from '../decode/one-stream.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { Folder, foldBatch, type PoisonRecord } from '../fold/index.ts';
import { jsonLogger, type Logger } from '../logging/index.ts';
import { planWrites, type RowWrite, type WritePlan } from '../plan/index.ts';
import { RetentionRecorder } from '../retention/index.ts';
import { type BufferKeyOptions, bucketKeysOptions, bucketWidths, widestBucket } from './buffer-options.ts';
import { TableBufferCheck } from './buffer-owner.ts';
import { checkBufferedVersions, type OtherVersionsPolicy } from './buffered-versions.ts';
import { type BucketWidths, encodeCells } from './encode-cells.ts';
import { completeFence, extendFence, type Fence, openFence, readFence } from './fence.ts';
import { refusedForDigits } from './isolate-records.ts';
import { bucketId, bufferKeys, shardTag } from './keys.ts';
import { type LearnGroups, learnGroups, rollupsWithSums } from './known-groups.ts';
import { checkWatermarkKeep, lateBufferedPoison, WATERMARK_KEEP_MS } from './late-buffered.ts';
import { redisCall } from './lua-script.ts';
import { type RejoinOutcome, rejoinShard } from './rejoin.ts';
import { WRITE_SCRIPT } from './scripts.ts';
import { readStoredCells, type StoredCells } from './stored-hints.ts';
import { confirmReplicas, type WaitReplicasOptions, waitReplicasOptions } from './wait-replicas.ts';

/**
 * What to do when Redis cannot take a batch: `fail` (default) rejects the batch so the stream retries it;
 * `direct` writes it straight to DynamoDB (exactly once, with the shard fenced off the buffer until Redis is
 * back). Either way nothing is lost silently.
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, onRedisDown: 'direct' satisfies RedisDownPolicy });
 * ```
 */
export type RedisDownPolicy = 'fail' | 'direct';

/**
 * Options of {@link createBufferedApplier}.
 *
 * @example
 * ```ts
 * const options: BufferedApplierOptions = { redis, client, table: 'aggregates', rollups: [storeMetrics], onRedisDown: 'direct' };
 * ```
 */
export interface BufferedApplierOptions extends BufferKeyOptions {
  /** Your ioredis client; dynotally never closes it. */
  redis: Redis;
  /** Your DynamoDB client (min / max / last values, the direct fallback, fences); never destroyed. */
  client: DynamoDBClient;
  /** The aggregate table. */
  table: string;
  rollups: readonly RollupLike[];
  /** Width of a flush bucket in ms of arrival (processing) time; default 15 minutes. */
  bucketMs?: number;
  /**
   * Wider buckets for some row kinds, by the granularity of the row's sort key, e.g. `{ month: 3_600_000,
   * all: 3_600_000 }`: coarse rows change with nearly every event, so flushing them less often saves the most
   * writes (reads merge the live buckets either way). Default: every row kind uses `bucketMs`.
   */
  rowBucketMs?: Readonly<
    Partial<Record<'minute' | 'hour' | 'day' | 'week' | 'month' | 'year' | 'all', number>>
  >;
  /** Default `fail`. */
  onRedisDown?: RedisDownPolicy;
  /** How long to wait for Redis before treating it as down; default 2,000 ms. */
  redisTimeoutMs?: number;
  /**
   * For a Redis with replicas that may be promoted: a batch is reported done only once this many replicas hold it
   * (`WAIT`), and a rejoin deletes its fence only once they hold the rejoin. Fewer within `timeoutMs` fail the batch
   * with `REDIS_NOT_REPLICATED` (whatever `onRedisDown` says; the stream retries it, and a retry finds it buffered
   * and waits again). Default: no waiting, for a Redis without replicas.
   */
  waitReplicas?: WaitReplicasOptions;
  /**
   * Buffer on a Redis that may evict buffer keys (a `maxmemory` above 0 with a `maxmemory-policy` other than
   * `noeviction`), which the applier otherwise refuses with `CONFIG_INVALID`: for a Redis whose policy you cannot
   * change (a managed offering that fixes it, a shared Redis). `true` accepts the risk: the applier logs one warning
   * (the policy, `maxmemory`, what can be lost) and buffers, and its re-reading once a minute does not refuse either
   * (it warns again only after a reading found the policy fixed). The risk: once Redis is full it evicts buffered
   * cells, bucket indexes, shard watermarks and the seal (every buffer key has a TTL, so `volatile-*` policies evict
   * them too) instead of refusing the batch, so batches reported applied are lost, or counted twice, with no error.
   * Reasonable only for a Redis sized so it never fills (the flusher frees what it flushes), with an alert on
   * `evicted_keys` (`INFO stats`): any eviction there may be lost counts. Default `false`.
   *
   * @example
   * ```ts
   * // a managed Redis fixed to volatile-lru, sized far above the buffer, evicted_keys alerted on
   * createBufferedApplier({ redis, client, table, rollups, acceptEviction: true });
   * ```
   */
  acceptEviction?: boolean;
  /** Where poison records go; without one they are returned. */
  deadLetter?: DeadLetterSink | undefined;
  /** Parallel DynamoDB writes (extrema, direct fallback); default 32. */
  concurrency?: number;
  /**
   * How the direct fallback (`onRedisDown: 'direct'`) sends its row writes: PartiQL by default, `{ api:
   * 'update-item' }` for a role without the PartiQL permissions (as on the {@link Applier}).
   */
  write?: WriteOptions;
  retry?: RetryOptions;
  logger?: Logger;
  /** Clock (ms): picks the flush bucket and drops rows past retention. For tests and benchmarks. */
  now?: () => number;
  /**
   * What happens to a record older than 24 h 30 min (the redelivery horizon less half its margin, as on the
   * {@link Applier}). `'dead-letter'` (the default, as on the Applier): it is not applied and goes to the dead letters
   * as `RECORD_TOO_OLD` before anything of its batch is written, with no pending row when the shard's watermark in
   * Redis holds it, else the rows without its state; a record the direct fallback refused for good whose take-back was
   * cut short, at most 25 hours old, is settled instead (taken back, dead-lettered with the refusal's code). Such a
   * record arrives from a stream worker back after a day's outage, or a mapping without a maximum record age: the
   * shard's watermark expires `keyTtlMs` after its last batch (the direct fallback's row states 25 hours after their
   * record), and a record delivered again after that would be counted twice. `'apply'`: it is buffered (or written
   * directly) as any other, only for records stamped in the past on purpose (a test, a job replaying old records
   * into a fresh table). The default was `'apply'` before 0.2.0.
   *
   * @example
   * ```ts
   * // a test feeding records stamped days before its clock, on purpose
   * createBufferedApplier({ redis, client, table, rollups, lateRecords: 'apply' });
   * ```
   */
  lateRecords?: 'dead-letter' | 'apply';
  /**
   * What a batch does when a rollup's control item names other versions than version 1 (the buffer writes version-1
   * rows only): `refuse` (default) refuses it, before anything is written, once another version serves or is being
   * built; `written-elsewhere` is for a deployment where another stream consumer writes those versions through
   * `createVersionedWriteSide` (its own lease table or event source mapping), so version 1 is buffered beside them.
   * Version 1 registered with another definition, or under backfill itself, is refused either way.
   *
   * @example
   * ```ts
   * // version 2 is built and written by a versioned worker of its own; this one keeps buffering version 1
   * createBufferedApplier({ redis, client, table, rollups, otherVersions: 'written-elsewhere' });
   * ```
   */
  otherVersions?: OtherVersionsPolicy;
}

/**
 * What the buffer did with a batch, beside the usual {@link ApplyReport}.
 *
 * @example
 * ```ts
 * const { buffer } = await applier.apply({ records, shardId });
 * console.log(buffer.mode, buffer.buckets, buffer.cells);
 * ```
 */
export interface BufferReport {
  /** `redis`: buffered; `direct`: written straight to DynamoDB; `skipped`: every record was already applied. */
  mode: 'redis' | 'direct' | 'skipped';
  /** The buckets the deltas went to: their ids, the instants they close (epoch ms). */
  buckets: number[];
  /** Rows and cells added to the buckets. */
  rows: number;
  cells: number;
  /** Times the Redis watermark was not the one expected (another delivery moved it) and the batch was re-planned. */
  replans: number;
  /** Set when this batch first rejoined the shard to the buffer after direct writes. */
  rejoined: RejoinOutcome['status'] | undefined;
}

/**
 * The result of a buffered apply: an {@link ApplyResult} with a {@link BufferReport}.
 *
 * @example
 * ```ts
 * const { report, poison, buffer } = await applier.apply({ records, shardId });
 * ```
 */
export interface BufferedApplyResult extends ApplyResult {
  buffer: BufferReport;
}

/**
 * A write side with the same `apply` as {@link Applier}, buffering counters in Redis.
 *
 * @example
 * ```ts
 * const applier: BufferedApplier = createBufferedApplier({ redis, client, table, rollups });
 * ```
 */
export interface BufferedApplier {
  readonly rollups: readonly CompiledRollup[];
  /** Always `exactly-once`: the buffer keeps a watermark per shard. */
  readonly mode: 'exactly-once';
  /**
   * Buffers a batch (see {@link Applier.apply}).
   *
   * Before anything of the batch is written, it reads the rollups' control items (one strongly consistent
   * `BatchGetItem`, {@link checkBufferedVersions}) and refuses the batch when version 1 of the given definitions is
   * not all there is to write: the buffer writes version-1 rows only, so once `backfill --register`, a repair
   * (`repairRollup`, `verify --repair`) or a versioned write side registered another version, buffering would leave
   * it without the live changes, and a promoted version would serve numbers that miss them. Nothing is cached: a
   * versioned write side (`createVersionedWriteSide`) reads the control items afresh for every batch, so every batch
   * it starts after a version's registration writes that version, and a backfill's `settleMs` (0 with `register`,
   * and in a repair) waits for no cache. A buffer that cached the read for N seconds would go on writing version 1
   * only for up to N seconds after the registration while the scan may already have passed the items those records
   * changed: the version would miss them for good. The read costs one request (about one read unit a rollup) a
   * batch; a rollup without a control item (nothing ever registered) is buffered as before.
   *
   * @throws {DynotallyError} `CONFIG_INVALID`, before anything is written, when the aggregate table belongs to a
   * buffer with another key prefix (`claimTableBuffer`: a table takes one buffer), and when a rollup's control item
   * says another version serves or is being built (unless `otherVersions: 'written-elsewhere'`), or version 1 has
   * another definition or is under backfill
   * ({@link isBufferedVersionRefusal} tells that refusal apart; the stream delivers the batch again, nothing is
   * lost: write the rollup through `createVersionedWriteSide`).
   */
  apply(input: ApplyInput): Promise<BufferedApplyResult>;
}

const MAX_REPLANS = 6;
/** Records older than this (seconds) are late: the redelivery horizon less half its margin (`lateAfterSeconds`). */
const LATE_AFTER_SECONDS = lateAfterSeconds(WATERMARK_KEEP_MS / 1000);

/**
 * Buffered mode (S4): each batch is folded and coalesced as usual, and its row deltas are added to the current
 * flush bucket in Redis (exact decimals) in one Lua script that also moves the shard's watermark — so a
 * redelivered batch changes nothing. `min`/`max`/`last` values are written straight to DynamoDB (their
 * conditional updates are idempotent and need no flush). A flusher ({@link createFlusher}) later moves closed
 * buckets to DynamoDB. Exactly-once needs the batch's shard id, like the direct applier.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createBufferedApplier } from 'dynotally/redis';
 *
 * const applier = createBufferedApplier({ redis: new Redis(process.env.REDIS_URL!), client, table: 'aggregates', rollups: [storeMetrics] });
 * const { report, buffer } = await applier.apply({ records: event.Records, shardId: event.shardId });
 * ```
 */
export function createBufferedApplier(options: BufferedApplierOptions): BufferedApplier {
  return new RedisBufferedApplier(options);
}

interface BatchContext {
  readonly records: readonly DynamoDBRecord[];
  /** Padded sequence numbers (undefined for records without a valid one). */
  readonly seqs: ReadonlyArray<string | undefined>;
  readonly lastSeq: string;
  readonly plan: WritePlan;
  /** The batch's decoded changes (fold poison left out), in sequence order. */
  readonly changes: readonly Change[];
  /** Records left out because a sum would pass 38 significant digits (NUMBER_UNREPRESENTABLE), set by applyRedis. */
  refused: PoisonRecord[];
  /** What DynamoDB holds for wide cells whose stored value the write script asked for (rarely: {@link readStoredCells}). */
  readonly stored: StoredCells;
  readonly shardId: string;
  /** The batch's finished ancestor shards (`ApplyInput.finishedShards`): only direct writes carry states to drop. */
  readonly finishedShards: readonly string[] | undefined;
  /** The stream worker's lease check (`ApplyInput.leaseHeld`), passed on to the direct writes. */
  readonly leaseHeld: (() => boolean) | undefined;
  /** The batch's send deadline (`sendDeadline`; undefined with `lateRecords: 'apply'`), passed on to the direct writes. */
  readonly sendBy: number | undefined;
  /** The shard's exclusions the late split read (`applyWithoutLate`), handed to the direct writes' Applier. */
  readonly exclusions: ExclusionsRead | undefined;
  /**
   * The DynamoDB client of this batch: the worker's lease fences every request (`fencedClient`), so a worker that
   * lost the shard neither writes extrema nor opens a fence and writes directly what the new owner buffers.
   */
  readonly client: DynamoDBClient;
  readonly source: string;
  readonly tag: string;
  readonly now: number;
  readonly report: ApplyReport;
  readonly buffer: BufferReport;
  /**
   * Set by applyRedis once Redis holds the batch: the watermark the batch was applied after (records up to it were
   * buffered by earlier deliveries) and `pf`, from where Redis knows which of those were left out (`px`).
   */
  buffered: { after: string; knownFrom: string | undefined } | undefined;
  /**
   * Set by applyDirect once its rows are written: the fence to mark done up to the batch's last record, which
   * applyPart does only after the batch's letters are sent ({@link RedisBufferedApplier.completeDirect}).
   */
  written: Fence | undefined;
}

class RedisBufferedApplier implements BufferedApplier {
  readonly rollups: readonly CompiledRollup[];
  readonly mode = 'exactly-once' as const;
  private readonly folder: Folder;
  private readonly direct: Applier;
  private readonly retention: RetentionRecorder;
  private readonly watermarks = new Map<string, string>();
  private readonly prefix: string;
  private readonly keyTtlMs: number;
  private readonly widths: BucketWidths;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly owner: TableBufferCheck;
  private readonly waitReplicas: Required<WaitReplicasOptions> | undefined;
  /** The rollups whose groups' hints must be known before a batch buffers into them (known-groups.ts). */
  private readonly withSums: string;
  private readonly byName: ReadonlyMap<string, CompiledRollup>;

  constructor(private readonly options: BufferedApplierOptions) {
    this.waitReplicas = waitReplicasOptions(options.waitReplicas);
    // a typo would silently count late records (only 'dead-letter' turns the guard on)
    checkLateRecords(options.lateRecords);
    // a typo would silently refuse every batch beside another version's writer
    if (
      options.otherVersions !== undefined &&
      options.otherVersions !== 'refuse' &&
      options.otherVersions !== 'written-elsewhere'
    )
      throw new DynotallyError(
        'CONFIG_INVALID',
        `otherVersions must be 'refuse' or 'written-elsewhere' (got ${JSON.stringify(options.otherVersions)})`,
        { details: { option: 'otherVersions' } },
      );
    // a truthy string would accept a risk nobody chose; a typo'd false would refuse where it was meant to
    if (options.acceptEviction !== undefined && typeof options.acceptEviction !== 'boolean')
      throw new DynotallyError(
        'CONFIG_INVALID',
        `acceptEviction must be true or false (got ${JSON.stringify(options.acceptEviction)})`,
        { details: { option: 'acceptEviction' } },
      );
    this.retention = new RetentionRecorder({
      client: options.client,
      table: options.table,
      rollups: options.rollups.map((r) => ('compiled' in r ? r.compiled : r)),
      retry: options.retry,
    });
    this.direct = new Applier({
      client: options.client,
      table: options.table,
      rollups: options.rollups,
      mode: 'exactly-once',
      strategy: 'row-watermark',
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.write === undefined ? {} : { write: options.write }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.now === undefined ? {} : { now: options.now }),
      // late records are this applier's to decide (`lateRecords` above), before anything reaches the direct path
      lateRecords: 'apply',
    });
    this.rollups = this.direct.rollups;
    this.folder = new Folder(this.rollups);
    this.withSums = rollupsWithSums(this.rollups);
    this.byName = new Map(this.rollups.map((c) => [c.name, c]));
    this.widths = bucketWidths(options);
    // a key must outlive the widest bucket and the stream's redelivery horizon (a watermark that expires first
    // lets a redelivered batch count twice)
    const keys = bucketKeysOptions(options, widestBucket(this.widths));
    // …and every record the applier still counts (25 hours: see WATERMARK_KEEP_MS)
    checkWatermarkKeep(keys.keyTtlMs);
    this.prefix = keys.keyPrefix;
    this.keyTtlMs = keys.keyTtlMs;
    this.timeoutMs = options.redisTimeoutMs ?? 2_000;
    this.logger = options.logger ?? jsonLogger();
    this.owner = new TableBufferCheck(
      {
        client: options.client,
        table: options.table,
        redis: options.redis,
        prefix: this.prefix,
        retry: options.retry,
        redisTimeoutMs: this.timeoutMs,
        waitReplicas: this.waitReplicas,
      },
      options.acceptEviction === true ? (refusal) => this.acceptedEviction(refusal) : 'refuse',
      () => options.now?.() ?? Date.now(),
    );
  }

  /** `acceptEviction: true`: the refusal of an evicting Redis, said once as a warning instead. */
  private acceptedEviction(refusal: DynotallyError): void {
    const { policy, maxmemory } = refusal.details as { policy?: string; maxmemory?: number };
    this.logger.warn(
      `Redis has maxmemory ${maxmemory} with maxmemory-policy ${policy}, accepted (acceptEviction: true): once full it evicts buffered counts, bucket indexes and shard watermarks instead of refusing the batch, so batches reported applied can be lost or counted twice, silently. Keep it from filling and alert on evicted_keys (INFO stats), or set maxmemory-policy noeviction`,
      { policy, maxmemory, acceptEviction: true },
    );
  }

  async apply(input: ApplyInput): Promise<BufferedApplyResult> {
    const out = await this.applyPart(input, undefined);
    return this.sinkFor(input) === undefined ? out : { ...out, sent: true };
  }

  /** Where this batch's letters go: this applier's own sink, else the caller's (`ApplyInput.deadLetter`). */
  private sinkFor(input: ApplyInput): DeadLetterSink | undefined {
    return this.options.deadLetter ?? input.deadLetter;
  }

  /**
   * {@link BufferedApplier.apply} of a batch, or of a part of one (`whole`: the batch, in order, late records split
   * off): every poison record's `index`, returned or dead-lettered, is its place in the whole batch. `settling`: the
   * late records `applyWithoutLate` kept in the part to be settled (`lateToSettle`), not split off again; `read`: the
   * shard's exclusions it read for them, which the direct writes use instead of reading them again (nothing writes
   * them in between).
   */
  private async applyPart(
    input: ApplyInput,
    whole: readonly DynamoDBRecord[] | undefined,
    settling?: ReadonlySet<DynamoDBRecord>,
    read?: ExclusionsRead,
  ): Promise<BufferedApplyResult> {
    const started = Date.now();
    // in sequence order, duplicates dropped: the watermark and the re-plans rely on it
    const records = orderBatch(input.records);
    const batch = whole ?? records;
    const report = emptyReport(records.length);
    const buffer: BufferReport = {
      mode: 'skipped',
      buckets: [],
      rows: 0,
      cells: 0,
      replans: 0,
      rejoined: undefined,
    };
    if (records.length === 0) return { report, poison: [], buffer };
    const shardId = input.shardId;
    if (shardId === undefined || shardId === '') {
      throw new DynotallyError(
        'SHARD_ID_MISSING',
        "the Redis buffer is exactly-once and needs the batch's shard id: in Lambda, give the event source mapping a tumbling window (TumblingWindowInSeconds ≥ 1) so events carry shardId",
      );
    }
    // before anything is written (dead letters, the table's claim, Redis, DynamoDB), once a batch (not again for the
    // part left after its late records): the buffer writes version 1 only, so a rollup another version of which
    // serves or is being built is refused, read afresh (no cache: BufferedApplier.apply says why)
    if (whole === undefined)
      await checkBufferedVersions({
        client: this.options.client,
        table: this.options.table,
        rollups: this.rollups,
        otherVersions: this.options.otherVersions,
        // the applier's clock, as for its other time rules (it read the real one: review s41r)
        now: () => this.options.now?.() ?? Date.now(),
      });
    // the table takes one buffer, whose flushes would drop this one's (buffer-owner.ts)
    const unchecked = await this.checkOwner();
    const now = this.options.now?.() ?? Date.now();
    const source = batchStream(records);
    if ((this.options.lateRecords ?? 'dead-letter') === 'dead-letter') {
      const split = splitLate(records, now, LATE_AFTER_SECONDS);
      const late = settling === undefined ? split.late : split.late.filter((r) => !settling.has(r));
      if (late.length > 0) {
        const lateSet = new Set(late);
        const onTime = records.filter((r) => !lateSet.has(r));
        return this.applyWithoutLate(input, batch, late, onTime, { source, now });
      }
    }
    // a stream worker's batch stops with LEASE_LOST once the lease is gone, as on the direct applier: a zombie's
    // Redis writes change nothing (the watermark), but its direct fallback would count records the new owner
    // buffers, and the rejoin would then take the new owner's batch for the zombie's in-doubt one
    // and, as the direct applier's, none of its requests (a fence, extrema, the direct fallback's rows) goes out past
    // the moment its oldest record's exactly-once state (an on-time record's, or a settled one's, which its
    // take-backs need) may be pruned (`sendDeadline`, reviews s34y, s35d and s35r)
    const sendBy =
      (this.options.lateRecords ?? 'dead-letter') === 'dead-letter'
        ? sendDeadline(records, LATE_AFTER_SECONDS)
        : undefined;
    const client =
      input.leaseHeld === undefined && sendBy === undefined
        ? this.options.client
        : fencedClient(
            this.options.client,
            input.leaseHeld,
            shardId,
            sendBy === undefined ? undefined : { by: sendBy, now: () => this.options.now?.() ?? Date.now() },
          );
    const fold = foldBatch(this.rollups, records, { shardId, folder: this.folder });
    report.poison = fold.poison.length;
    report.folded = fold.changes.length;
    const sink = this.sinkFor(input);
    if (fold.poison.length > 0 && sink !== undefined) {
      await sink.send(placedIn(fold.poison, batch).map((p) => toDeadLetter(p, source, shardId, now)));
    }
    const seqs = records.map(sequenceOf);
    const lastSeq = lastDefined(seqs);
    let refused: PoisonRecord[] = [];
    let lettersSent: (() => Promise<void>) | undefined;
    const result = (): BufferedApplyResult => {
      report.durationMs = Date.now() - started;
      const poison = placedIn([...fold.poison, ...refused], batch);
      return lettersSent === undefined ? { report, poison, buffer } : { report, poison, buffer, lettersSent };
    };
    if (lastSeq === undefined) return result();
    const plan = planWrites(fold.coalescer, { now });
    report.expired = plan.expired;
    report.cancelled = plan.cancelled;
    const ctx: BatchContext = {
      records,
      seqs,
      lastSeq,
      plan,
      changes: fold.changes,
      refused: [],
      stored: {},
      shardId,
      finishedShards: input.finishedShards,
      leaseHeld: input.leaseHeld,
      sendBy,
      exclusions: read,
      client,
      source,
      tag: shardTag(source, shardId),
      now,
      report,
      buffer,
      buffered: undefined,
      written: undefined,
    };

    let fenced = false;
    if (this.options.onRedisDown === 'direct') {
      let fence = await readFence(client, this.options.table, ctx.tag);
      if (fence !== undefined && fence.done === fence.to && unchecked === undefined) {
        const outcome = await this.tryRejoin(fence, now, client);
        if (outcome !== undefined) {
          buffer.rejoined = outcome.status;
          fence = outcome.removed ? undefined : await readFence(client, this.options.table, ctx.tag);
        }
      }
      fenced = fence !== undefined;
      if (fence !== undefined) await this.applyDirect(ctx, fence, fold.poison);
    }
    if (!fenced) {
      try {
        // a Redis the check could not reach is not written to, even if it answers by now: the batch goes direct
        if (unchecked !== undefined) throw unchecked;
        await this.applyRedis(ctx);
      } catch (e) {
        if (this.options.onRedisDown !== 'direct' || !isDynotallyError(e, 'REDIS_UNAVAILABLE')) throw e;
        this.logger.warn(
          'Redis buffer unavailable: writing the batch straight to DynamoDB (onRedisDown: direct)',
          {
            shardId,
            error: e.message,
          },
        );
        await this.applyDirect(ctx, undefined, fold.poison);
      }
    }
    refused = ctx.refused;
    await afterScript(ctx.buffered !== undefined, async () => {
      // min / max / last after the script, of the records it did not leave out (a max cannot be taken back); the
      // direct writes wrote their own. Idempotent: a redelivery after a failure here writes them again
      if (ctx.buffered !== undefined) await this.writeExtrema(ctx);
      if (refused.length > 0) {
        // sent only now that the batch is written without them; a redelivery finds them again (`px` in Redis, the
        // exclusions the direct applier records in DynamoDB)
        report.poison += refused.length;
        if (sink !== undefined) {
          await sink.send(placedIn(refused, batch).map((p) => toDeadLetter(p, source, shardId, now)));
        }
      }
    });
    // letters the caller sends (no sink here, and none given with the batch: the caller sends what is returned) are
    // not sent yet, and may fail: the fence stays open, so a redelivery goes direct again and is refused again (review s35z), until the
    // caller says they are sent (`lettersSent`: a shard's last batch has no next direct batch to complete it, review
    // s36r); a later batch written direct completes it too
    if (refused.length === 0 || sink !== undefined) await this.completeDirect(ctx);
    else if (ctx.written !== undefined) lettersSent = () => this.completeDirect(ctx);
    return result();
  }

  /**
   * The table's buffer check ({@link TableBufferCheck}). With `onRedisDown: 'direct'`, Redis out of reach for it
   * returns its `REDIS_UNAVAILABLE` (the table's side passed: another key prefix is refused without Redis), and the
   * batch goes straight to DynamoDB; the check is made again with the next batch.
   */
  private async checkOwner(): Promise<DynotallyError | undefined> {
    try {
      await this.owner.ensure();
      return undefined;
    } catch (e) {
      // A first claim the replicas did not confirm (`REDIS_NOT_REPLICATED`, waitReplicas) fails the batch, also with
      // `onRedisDown: 'direct'`, as every batch does while the replicas lag. Going direct would be safe only if Redis
      // held nothing of the shard, and a table naming no buffer id does not prove that: one claimed by a release
      // before ids, or handed over (releaseTableBuffer) while parts that had checked it kept buffering into the same
      // Redis, can hold this very batch from an earlier delivery. Redis answers, so the retry finds it there and waits
      // again; written directly as well, it would be counted twice, which a rejoin can only report as a `conflict`
      // (docs/redis-buffer.md, *Durability*; test/redis/claim-waits-replicas.int.test.ts).
      if (this.options.onRedisDown !== 'direct' || !isDynotallyError(e, 'REDIS_UNAVAILABLE')) throw e;
      return e;
    }
  }

  /**
   * Dead-letters a batch's late records ({@link splitLate}) as `RECORD_TOO_OLD` before anything of the batch is
   * written (after, the shard's watermark would pass them), then applies the rest; every poison record's `index` is
   * its position in the batch as delivered. A late record the direct fallback refused for good (its exclusion
   * carried in DynamoDB, less than 24 h 40 min old: {@link lateToSettle}, as on the {@link Applier}) stays
   * with the rest instead: its shard's fence is still open (the delivery that refused it did not finish), so the
   * rest goes direct, where the inner Applier takes it back from the rows that delivery's take-back did not reach
   * and it is dead-lettered with the refusal's code.
   */
  private async applyWithoutLate(
    input: ApplyInput,
    ordered: readonly DynamoDBRecord[],
    late: readonly DynamoDBRecord[],
    onTime: readonly DynamoDBRecord[],
    at: { source: string; now: number },
  ): Promise<BufferedApplyResult> {
    const shardId = input.shardId as string;
    const reads = emptyReport(0);
    const pages = new Map<string, number>();
    const { settle, stored, refusedRows } = await lateToSettle(
      late,
      exclusionContext(this.options, { ...at, shardId }, this.rollups, reads, pages),
      { rollups: this.rollups, folder: this.folder, horizonSeconds: WATERMARK_KEEP_MS / 1000 },
    );
    const dead = late.filter((r) => !settle.has(r));
    const poison = await lateBufferedPoison(dead, ordered, {
      redis: this.options.redis,
      prefix: this.prefix,
      timeoutMs: this.timeoutMs,
      tag: shardTag(at.source, shardId),
      client: this.options.client,
      table: this.options.table,
      rollups: this.rollups,
      source: at.source,
      shardId,
      now: at.now,
      lateAfter: LATE_AFTER_SECONDS,
      failWhenDown: this.options.onRedisDown !== 'direct',
      refusedRows,
    });
    const sink = this.sinkFor(input);
    const kept = new Set(onTime);
    const rest = ordered.filter((r) => settle.has(r) || kept.has(r));
    const out = await afterLateLetters(
      poison,
      async (p) => void (await sink?.send(p.map((x) => toDeadLetter(x, at.source, shardId, at.now)))),
      async (): Promise<BufferedApplyResult> =>
        rest.length > 0
          ? await this.applyPart(
              { ...input, records: rest },
              ordered,
              settle,
              stored === undefined ? undefined : { stored, pages },
            )
          : {
              report: emptyReport(0),
              poison: [],
              buffer: { mode: 'skipped', buckets: [], rows: 0, cells: 0, replans: 0, rejoined: undefined },
            },
    );
    out.report.retries += reads.retries;
    return out;
  }

  /** Buffers the batch in Redis, atomically with the shard watermark; re-plans when the watermark moved. */
  private async applyRedis(ctx: BatchContext): Promise<void> {
    const keys = bufferKeys(this.prefix);
    let expected = this.watermarks.get(ctx.tag);
    if (expected === undefined) {
      expected =
        (await redisCall(
          this.options.redis.hget(keys.shard(ctx.tag), 'wm'),
          this.timeoutMs,
          'read the shard watermark',
        )) ?? '';
    }
    const firstSeq = ctx.seqs.find((s) => s !== undefined) as string;
    let refused: PoisonRecord[] = [];
    // a round that made groups' hints known costs no attempt (twice at most: keys lost again right after are rare)
    let learned = 0;
    for (let attempt = 0; attempt < MAX_REPLANS + learned; attempt++) {
      const after: string = expected;
      let knownFrom: string | undefined;
      if (after >= firstSeq) ({ refused: ctx.refused, knownFrom } = await this.refusedBefore(ctx, after));
      if (after >= ctx.lastSeq) {
        // an earlier delivery buffered it: it may be the one whose wait failed, so wait again
        await this.confirm(ctx.tag);
        ctx.report.skipped = ctx.records.length;
        ctx.buffer.mode = 'skipped';
        ctx.buffered = { after, knownFrom };
        this.remember(ctx.tag, after);
        return;
      }
      const first = ctx.seqs.find((s) => s !== undefined && s > after) as string;
      const left = new Set(refused.map((p) => p.record));
      const rows: RowWrite[] =
        after < firstSeq && left.size === 0
          ? ctx.plan.rows
          : planWrites(
              foldBatch(
                this.rollups,
                left.size === 0 ? ctx.records : ctx.records.filter((r) => !left.has(r)),
                { shardId: ctx.shardId, folder: this.folder, after },
              ).coalescer,
              { now: ctx.now },
            ).rows;
      const { args, cells } = encodeCells(rows, ctx.now, this.widths);
      const res = (await redisCall(
        WRITE_SCRIPT.run(
          this.options.redis,
          [],
          [
            this.prefix,
            ctx.tag,
            after,
            ctx.lastSeq,
            first,
            refused.map((p) => p.sequenceNumber).join(','),
            String(this.keyTtlMs),
            this.options.onRedisDown === 'direct' ? '1' : '0',
            JSON.stringify(args),
            firstSeq,
            Object.keys(ctx.stored).length === 0 ? '' : JSON.stringify(ctx.stored),
            this.withSums,
          ],
        ),
        this.timeoutMs,
        'buffer the batch',
      )) as string[];
      if (res[0] === 'wm') {
        expected = res[1] as string;
        // remembered at once: should this batch fall back to direct writes (a later script's reply lost), its
        // fence starts after what Redis is known to hold, so the rejoin's journal is exactly the overlap
        this.remember(ctx.tag, expected);
        ctx.buffer.replans++;
        refused = [];
        continue;
      }
      if (res[0] === 'unknown') {
        // groups whose hints are not known (new, quiet for keyTtlMs, or their keys lost), each with its hint count
        // as the script read it: read their stored rows and record their hints, then write again (known-groups.ts)
        const spent = await learnGroups(this.learning(ctx), pairsOf(res.slice(1)));
        ctx.report.readRequests += spent.requests;
        ctx.report.readUnits += spent.units;
        if (learned < 2) learned++;
        continue;
      }
      if (res[0] === 'stored') {
        // a cell's sums over its open buckets are wide and no hint says what DynamoDB holds: read it, write again
        await readStoredCells(this.options.client, this.options.table, pairsOf(res.slice(1)), ctx.stored);
        continue;
      }
      if (res[0] === 'digits') {
        // a cell would pass 38 significant digits with this batch: nothing was written; leave out the records
        // that cannot be added, as the direct applier does when DynamoDB refuses a row
        refused = await this.probeDigits(ctx, after);
        continue;
      }
      await this.confirm(ctx.tag);
      ctx.refused = [...ctx.refused, ...refused];
      ctx.buffered = { after, knownFrom };
      this.remember(ctx.tag, ctx.lastSeq);
      ctx.report.skipped = ctx.seqs.filter((s) => s !== undefined && s <= after).length;
      ctx.buffer.mode = 'redis';
      ctx.buffer.buckets = res.slice(1).map(Number);
      ctx.buffer.rows = rows.length;
      ctx.buffer.cells = cells;
      return;
    }
    throw new DynotallyError(
      'APPLY_FAILED',
      `the shard's watermark in Redis kept moving while this batch was applied (${MAX_REPLANS} attempts): run one consumer per shard (Lambda ParallelizationFactor 1); or the stored values the write script asked for kept changing (Redis losing keys: check its eviction policy)`,
      { details: { shardId: ctx.shardId } },
    );
  }

  /**
   * Writes the batch's records from the fence's `from` on straight to DynamoDB (row-watermark exactly-once),
   * opening or extending the fence first and recording completion after. The records the direct applier leaves
   * out beside the fold's poison (`NUMBER_UNREPRESENTABLE`: a row DynamoDB refuses, isolated record by record, or
   * one an earlier delivery found so) are added to `ctx.refused`, for the caller to report and dead-letter.
   */
  private async applyDirect(
    ctx: BatchContext,
    fence: Fence | undefined,
    foldPoison: readonly PoisonRecord[],
  ): Promise<void> {
    const { table } = this.options;
    const client = ctx.client;
    const known = this.watermarks.get(ctx.tag) ?? '';
    for (let attempt = 0; ; attempt++) {
      if (attempt >= MAX_REPLANS) {
        throw new DynotallyError(
          'APPLY_FAILED',
          "the shard's direct-write fence kept changing: run one consumer per shard",
          {
            details: { shardId: ctx.shardId },
          },
        );
      }
      if (fence === undefined) {
        const from = ctx.seqs.find((s) => s !== undefined && s > known);
        if (from === undefined) {
          ctx.report.skipped = ctx.records.length;
          return;
        }
        const open: Fence = {
          tag: ctx.tag,
          source: ctx.source,
          shardId: ctx.shardId,
          from,
          to: ctx.lastSeq,
          done: '',
        };
        if (await openFence(client, table, open, ctx.now)) {
          fence = open;
          break;
        }
      } else if (ctx.lastSeq > fence.to) {
        if (await extendFence(client, table, fence, ctx.lastSeq, ctx.now)) {
          fence = { ...fence, to: ctx.lastSeq };
          break;
        }
      } else break;
      fence = await readFence(client, table, ctx.tag);
    }
    if (fence === undefined) return; // unreachable: every break above has a fence
    const from = fence.from;
    const direct = ctx.records.filter((_, i) => {
      const s = ctx.seqs[i];
      return s !== undefined && s >= from;
    });
    ctx.report.skipped = ctx.records.length - direct.length;
    if (direct.length > 0) {
      // finished ancestors' states leave the rows written here, as on the direct applier: a state on a row only
      // guards direct writes of its shard, and a finished shard has nothing more to deliver; the Redis watermarks
      // and journals of those shards are kept (a fence's rejoin reads them; they expire with `keyTtlMs`)
      // (with the exclusions the late split read, if it did: the inner Applier does not read them again)
      const { report, poison } = await this.direct.apply(
        givenExclusions(
          {
            records: direct,
            shardId: ctx.shardId,
            ...(ctx.finishedShards === undefined ? {} : { finishedShards: ctx.finishedShards }),
            ...(ctx.leaseHeld === undefined ? {} : { leaseHeld: ctx.leaseHeld }),
            ...(ctx.sendBy === undefined ? {} : { sendBy: ctx.sendBy }),
          },
          ctx.exclusions,
        ),
      );
      // the inner applier has no sink: its poison comes back here; the fold's is reported by apply already
      const reported = new Set<DynamoDBRecord>(foldPoison.map((p) => p.record));
      for (const p of ctx.refused) reported.add(p.record);
      for (const p of poison) {
        if (reported.has(p.record)) continue;
        reported.add(p.record);
        // its position in the batch as delivered, not in the part written directly
        const at = ctx.records.indexOf(p.record);
        ctx.refused.push({ ...p, index: at < 0 ? p.index : at });
      }
      ctx.report.rowsWritten += report.rowsWritten;
      ctx.report.rowsAlreadyApplied += report.rowsAlreadyApplied;
      ctx.report.writeUnits += report.writeUnits;
      ctx.report.retries += report.retries;
      ctx.report.extremaWritten += report.extremaWritten;
      ctx.report.extremaRefused += report.extremaRefused;
    }
    ctx.written = fence;
    ctx.buffer.mode = 'direct';
  }

  /**
   * Marks the fence a direct batch was written under done up to the batch's last record (`ctx.written`), once its
   * letters are sent. Not before: a done fence lets the next batch rejoin the shard, moving the Redis watermark past
   * the batch, and a redelivery after a letter that failed to send would then be skipped in Redis, a record the
   * direct writes refused (left out of every row) never dead-lettered (review s35z). While the fence is open the
   * redelivery goes direct again, where the inner Applier finds the refusal's exclusion and refuses the record again.
   */
  private async completeDirect(ctx: BatchContext): Promise<void> {
    const fence = ctx.written;
    if (fence === undefined || ctx.lastSeq <= fence.done) return;
    if (!(await completeFence(ctx.client, this.options.table, fence, ctx.lastSeq, ctx.now))) {
      this.logger.warn(
        'Redis buffer: the direct-write fence changed while this batch was written; its next batch settles it',
        {
          shardId: ctx.shardId,
        },
      );
    }
  }

  /** What {@link learnGroups} reads and writes with, for this batch. */
  private learning(ctx: BatchContext): LearnGroups {
    return {
      redis: this.options.redis,
      prefix: this.prefix,
      keyTtlMs: this.keyTtlMs,
      timeoutMs: this.timeoutMs,
      client: ctx.client,
      table: this.options.table,
      rollups: this.byName,
      concurrency: this.options.concurrency ?? 32,
      retry: this.options.retry,
    };
  }

  /** The records after `after` that cannot be added for 38 digits ({@link refusedForDigits}). */
  private probeDigits(ctx: BatchContext, after: string): Promise<PoisonRecord[]> {
    return refusedForDigits(
      ctx.changes.filter((c) => c.sequenceNumber > after),
      {
        redis: this.options.redis,
        prefix: this.prefix,
        timeoutMs: this.timeoutMs,
        folder: this.folder,
        now: ctx.now,
        widths: this.widths,
        batch: ctx.records,
        stored: ctx.stored,
        readStored: (cells) => readStoredCells(this.options.client, this.options.table, cells, ctx.stored),
      },
    );
  }

  /**
   * The records up to `after` (already buffered) that an earlier delivery left out for 38 digits: the write
   * script adds such records to the shard's `px` (pruned to the batch's first record on), so a redelivery reports
   * them again instead of losing their dead letters (say the sink failed after the batch was buffered), also when
   * it carries newer records some of which are left out too.
   */
  /**
   * The batch's records up to `after` (buffered by an earlier delivery) that Redis left out for 38 digits (`px`), and
   * from where it knows (`pf`): an earlier record's fate is not known here (its delivery ended before `pf`'s).
   */
  private async refusedBefore(
    ctx: BatchContext,
    after: string,
  ): Promise<{ refused: PoisonRecord[]; knownFrom: string | undefined }> {
    const [px, pf] = await redisCall(
      this.options.redis.hmget(bufferKeys(this.prefix).shard(ctx.tag), 'px', 'pf'),
      this.timeoutMs,
      'read the records left out of the shard',
    );
    const knownFrom = pf === null || pf === undefined || pf === '' ? undefined : pf;
    if (px === null || px === undefined || px === '') return { refused: [], knownFrom };
    const seqs = new Set(px.split(','));
    const out: PoisonRecord[] = [];
    for (const ch of ctx.changes) {
      if (ch.sequenceNumber <= after && seqs.has(ch.sequenceNumber)) {
        out.push(refusedRecord(ch, ctx.records, [], false));
      }
    }
    return { refused: out, knownFrom };
  }

  /**
   * Writes the min / max / last of the batch's records Redis holds: those this call buffered (after the watermark
   * it applied the batch after) and those an earlier delivery did whose fate Redis still knows (from `pf`), less
   * every record left out for 38 digits. A record buffered before `pf` had its extrema written by the delivery that
   * buffered it (a shard's next delivery starts only after that one returned).
   */
  private async writeExtrema(ctx: BatchContext): Promise<void> {
    const buffered = ctx.buffered;
    if (buffered === undefined) return;
    const refused = new Set(ctx.refused.map((p) => p.sequenceNumber));
    const leftOut = new Set<string>();
    for (const { sequenceNumber: seq } of ctx.changes) {
      const held = seq > buffered.after || (buffered.knownFrom !== undefined && seq >= buffered.knownFrom);
      if (!held || refused.has(seq)) leftOut.add(seq);
    }
    const extrema =
      leftOut.size === 0 ? ctx.plan.extrema : extremaWithout(ctx.changes, leftOut, this.folder, ctx.now);
    if (extrema.length === 0) return;
    // they carry TTLs from these rollups' retentions: the retention histories hold them first (the flusher records
    // its own)
    const recorded = await this.retention.ensure(ctx.now);
    ctx.report.writeUnits += recorded.writeUnits;
    ctx.report.requests += recorded.requests;
    await writeExtrema(ctx.client, this.options.table, extrema, {
      now: ctx.now,
      concurrency: this.options.concurrency ?? 32,
      report: ctx.report,
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    });
  }

  private async tryRejoin(
    fence: Fence,
    now: number,
    client: DynamoDBClient,
  ): Promise<RejoinOutcome | undefined> {
    try {
      const outcome = await rejoinShard(
        {
          redis: this.options.redis,
          prefix: this.prefix,
          client,
          table: this.options.table,
          timeoutMs: this.timeoutMs,
          keyTtlMs: this.keyTtlMs,
          bucket: bucketId(now, this.widths.bucketMs),
          bucketWidth: this.widths.bucketMs,
          logger: this.logger,
          waitReplicas: this.waitReplicas,
        },
        fence,
      );
      if (outcome !== undefined) this.remember(fence.tag, outcome.watermark);
      return outcome;
    } catch (e) {
      // not rejoined yet (the fence stays): the batch goes direct, and a later one rejoins
      if (isDynotallyError(e, 'REDIS_UNAVAILABLE') || isDynotallyError(e, 'REDIS_NOT_REPLICATED'))
        return undefined;
      throw e;
    }
  }

  /**
   * With `waitReplicas`: waits until the replicas hold the shard's batch (and everything before it). When they do
   * not, the batch fails with `REDIS_NOT_REPLICATED` and the shard's remembered watermark is forgotten, so the
   * retry reads it from Redis — after a failover, from the promoted replica, which may not hold the batch.
   */
  private async confirm(tag: string): Promise<void> {
    if (this.waitReplicas === undefined) return;
    try {
      await confirmReplicas(
        this.options.redis,
        this.prefix,
        this.keyTtlMs,
        this.waitReplicas,
        this.timeoutMs,
        'buffer the batch',
      );
    } catch (e) {
      this.watermarks.delete(tag);
      throw e;
    }
  }

  private remember(tag: string, watermark: string): void {
    if (this.watermarks.size > 10_000) this.watermarks.clear();
    this.watermarks.set(tag, watermark);
  }
}

/**
 * Codes an {@link afterScript} failure keeps: the lease is gone (the batch is abandoned), or Redis itself failed
 * (waited out as such). Not `RECORD_TOO_OLD` (the send deadline passed during the extrema writes): kept, it was an
 * ordinary failure to the stream worker, which dead-lettered the batch as `RETRIES_EXHAUSTED` with every row pending
 * once a retry ran past its deadline again (or dropped it by `maxRecordAgeMs`), although Redis held its counts (review
 * s41r). As `BUFFERED_BATCH_UNFINISHED` it is waited out, and the retry dead-letters the records late by then itself,
 * with no pending row (the watermark in Redis holds them).
 */
const KEPT_AFTER_SCRIPT: ReadonlySet<string> = new Set([
  'LEASE_LOST',
  'APPLY_TIMEOUT',
  'REDIS_UNAVAILABLE',
  'REDIS_NOT_REPLICATED',
]);

/**
 * Runs what follows the script once Redis took the batch (`taken`: its extrema writes, the sink's send of its
 * refused records). A failure there is rethrown as `BUFFERED_BATCH_UNFINISHED` (the original as `cause` and in the
 * message): Redis holds the batch's counts, so it is no fault of the records, and a stream worker waits it out
 * instead of dead-lettering the batch with every row pending, whose replay would count it twice (review s40v). A
 * retry finds the watermark moved (adds nothing again) and redoes these steps (idempotent). A lost lease or a Redis
 * failure keeps its own code; a send deadline passed here (`RECORD_TOO_OLD`) does not (review s41r).
 */
async function afterScript(taken: boolean, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (e) {
    if (!taken || (isDynotallyError(e) && KEPT_AFTER_SCRIPT.has(e.code))) throw e;
    const what = e instanceof Error ? e.message : String(e);
    throw new DynotallyError(
      'BUFFERED_BATCH_UNFINISHED',
      `the Redis buffer took the batch, but a step after it (its min / max / last writes, or the dead-letter sink's send of its refused records) failed: ${what}; the batch is retried (Redis adds nothing again)`,
      { cause: e },
    );
  }
}

function sequenceOf(record: DynamoDBRecord): string | undefined {
  const seq = record?.dynamodb?.SequenceNumber;
  if (typeof seq !== 'string') return undefined;
  try {
    return padSequence(seq);
  } catch {
    return undefined;
  }
}

/** `[a, b, c, d]` → `[[a, b], [c, d]]`. */
function pairsOf(flat: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

function lastDefined(seqs: ReadonlyArray<string | undefined>): string | undefined {
  let last: string | undefined;
  for (const s of seqs) if (s !== undefined && (last === undefined || s > last)) last = s;
  return last;
}
