import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { consumedUnits, mapLimit, type RetryOptions, type RollupLike, withRetry } from '../apply/index.ts';
import type { DeadLetter, DeadLetterSink } from '../dead-letter/index.ts';
import { checkLetterRetention } from '../dead-letter/letter-retention.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { jsonLogger, type Logger } from '../logging/index.ts';
import { type RowWrite, rowUpdateParams } from '../plan/index.ts';
import { RetentionRecorder } from '../retention/index.ts';
import { type BufferKeyOptions, bucketKeysOptions, REDELIVERY_HORIZON_MS } from './buffer-options.ts';
import { TableBufferCheck } from './buffer-owner.ts';
import { listFences } from './fence.ts';
import { FlushLock } from './flush-lock.ts';
import { flushMarker } from './flush-marker.ts';
import { DONE_SCRIPT, SEAL_SCRIPT } from './flush-scripts.ts';
import { checkFlusherOptions } from './flusher-options.ts';
import { letteredMarker, letterTie, unheldCells } from './held-cells.ts';
import { bucketId, bufferKeys, FLUSH_MARKER_ATTR } from './keys.ts';
import { redisCall } from './lua-script.ts';
import { FLUSH_REFUSED_ATTR, refusalAt, refusedMarkerParams } from './refused-marker.ts';
import { isRowRejection, rejectedRowLetter, rowLimitProblem, unplacedRowLetter } from './rejected-row.ts';
import { rejoinShard } from './rejoin.ts';
import { rowParts } from './row-parts.ts';
import { rowsFromCells, type UnplacedRow } from './rows-from-cells.ts';
import { type StoredRow, storedRowOf, updateStoredHints } from './stored-hints.ts';
import { tieRefusal, tieWrite } from './tied-letter.ts';
import { confirmReplicas, type WaitReplicasOptions, waitReplicasOptions } from './wait-replicas.ts';

/**
 * The steps of a flush, reported to `onStep` as they complete (for progress output, metrics and the crash
 * tests, which kill the flusher at each of them).
 *
 * @example
 * ```ts
 * createFlusher({ ...options, onStep: (s) => s.step === 'bucket-done' && console.log(`flushed ${s.bucket}`) });
 * ```
 */
export type FlushStep =
  | { step: 'sealed'; seal: number }
  | { step: 'bucket-start'; bucket: number; groups: number }
  | { step: 'row-written'; bucket: number; written: number }
  | { step: 'rows-written'; bucket: number; rows: number }
  | { step: 'bucket-done'; bucket: number; buckets: number };

/**
 * What one flush did.
 *
 * @example
 * ```ts
 * const r = await flusher.flushClosed();
 * console.log(`${r.buckets} buckets, ${r.rowsWritten} rows, ${r.writeUnits} WCU`);
 * ```
 */
export interface FlushReport {
  /** Buckets closing at or before this instant (epoch ms) were sealed and flushed. */
  seal: number;
  buckets: number;
  /**
   * Row updates planned, written now, found already written by an earlier (crashed) flush, dropped as expired. A
   * flusher that lost its lock in the middle of a bucket plans rows it then leaves to the lock's holder: they are in
   * `rows` only. `rowsAlreadyApplied` also counts the unplaced rows (see `rowsDeadLettered`) a flusher on a newer
   * configuration already wrote for this bucket before it stopped short of marking it done: no letter is sent for
   * them (a replay would count them twice).
   */
  rows: number;
  rowsWritten: number;
  rowsAlreadyApplied: number;
  rowsExpired: number;
  /**
   * Rows DynamoDB refused (key or item over its limits), sent to the dead-letter sink (or logged) with their
   * deltas. A row written in parts counts once here if any part was refused (each refused part is one letter);
   * else once as written, or as already applied when every part was. Also the rows of cells the rollup has no row
   * kind for (`UNKNOWN_ROLLUP` letters: its granularities changed while they were buffered) or of a rollup the
   * flusher was not given (removed from the configuration), which are not in `rows`, and the rows found tied to
   * such a letter by an earlier run of the bucket (a flusher on another configuration that stopped before marking it
   * done): nothing is written or sent for them, the letter holds their cells.
   */
  rowsDeadLettered: number;
  writeUnits: number;
  retries: number;
  /** Shards brought back from direct writes to the buffer. */
  fencesRejoined: number;
  /** `locked`: another flusher holds the lock; nothing was done. */
  skipped: 'locked' | undefined;
  durationMs: number;
}

/**
 * Options of {@link createFlusher}.
 *
 * @example
 * ```ts
 * const options: FlusherOptions = { redis, client, table: 'aggregates', rollups: [storeMetrics] };
 * ```
 */
export interface FlusherOptions extends BufferKeyOptions {
  /** Your ioredis client; never closed. */
  redis: Redis;
  /** Your DynamoDB client; never destroyed. */
  client: DynamoDBClient;
  table: string;
  /**
   * Every rollup the buffered appliers write. The buffered cells of a rollup missing here (removed from the
   * configuration) go to `deadLetter` as `UNKNOWN_ROLLUP` letters with their deltas, with a warning.
   */
  rollups: readonly RollupLike[];
  /** The appliers' bucket width (ms): the default timer interval and the bucket a rejoin subtracts into; default 15 minutes. */
  bucketMs?: number;
  /** A bucket is closed this long after its end (writers with slow clocks); default 10 s. */
  graceMs?: number;
  /** Flushed buckets stay readable this long (readers skip them by the rows' flush markers); default 5 minutes. */
  keepFlushedMs?: number;
  /** Parallel row updates; default 16. */
  concurrency?: number;
  retry?: RetryOptions;
  /**
   * Lock lease (ms); default 60 s. Renewed every third of it while a flush runs (also in the middle of a bucket that
   * takes longer) and after every bucket. A flusher that finds another one holding it (its renewals did not reach
   * Redis for a whole lease: a stopped process, a long GC, a partition) stops before its next row and leaves the
   * rest to it.
   */
  lockMs?: number;
  /** Redis timeout per call; default 10 s. */
  redisTimeoutMs?: number;
  /** Rejoin shards that wrote directly while Redis was down (default true). */
  rejoinFences?: boolean;
  /**
   * For a Redis with replicas that may be promoted: after the seal (and the seal move of `all`) and after each
   * rejoin, wait until this many replicas hold every write so far (`WAIT`), before the DynamoDB writes that depend
   * on them. Fewer within `timeoutMs`: the flush stops with `REDIS_NOT_REPLICATED`, nothing written to DynamoDB
   * after that point (a rejoin's fence kept). Give it the appliers' value. Default: no waiting.
   */
  waitReplicas?: WaitReplicasOptions;
  /**
   * Where a row DynamoDB refuses (a key over 2,048 / 1,024 bytes, an item over 400 KB: `ROW_REJECTED`) goes with its
   * deltas, so the rest of the bucket and later buckets still flush; replay it with `replayDeadLetters`. So do the
   * cells of a row kind a rollup no longer has (`UNKNOWN_ROLLUP`: its granularities changed while they were
   * buffered), and of a rollup not given at all (removed while its cells were buffered). Without one, such a row is logged in full at error level and skipped. A sink that says how long it
   * keeps letters (`retentionDays`, as `DynamoDbDeadLetterSink` does) must keep them at least `keyTtlMs` and a day
   * (`leastLetterRetentionDays`), else `CONFIG_INVALID` at creation: a failed flush's re-run sends them again.
   */
  deadLetter?: DeadLetterSink | undefined;
  /**
   * The buffer's appliers run with `acceptEviction: true` (`dynotally worker --redis --accept-eviction` passes it to
   * its own flusher): an evicting Redis, which the flusher never refuses (it only frees memory), is then noted with
   * a warning instead of an error line telling to fix the policy (review s40v). Changes nothing else. Default `false`.
   *
   * @example
   * ```ts
   * createFlusher({ redis, client, table, rollups, acceptEviction: true });
   * ```
   */
  acceptEviction?: boolean;
  logger?: Logger;
  now?: () => number;
  onStep?: (step: FlushStep) => void | Promise<void>;
}

/**
 * A report of a flush that did nothing yet (sums of several flushes start from it).
 *
 * @example
 * ```ts
 * const total = emptyFlushReport(); // { seal: 0, buckets: 0, rows: 0, … }
 * ```
 */
export function emptyFlushReport(seal = 0): FlushReport {
  return {
    seal,
    buckets: 0,
    rows: 0,
    rowsWritten: 0,
    rowsAlreadyApplied: 0,
    rowsExpired: 0,
    rowsDeadLettered: 0,
    writeUnits: 0,
    retries: 0,
    fencesRejoined: 0,
    skipped: undefined,
    durationMs: 0,
  };
}

/**
 * A flusher of closed buckets.
 *
 * @example
 * ```ts
 * const flusher = createFlusher(options);
 * flusher.start(60_000);
 * process.on('SIGTERM', () => flusher.stop());
 * ```
 */
export interface Flusher {
  /**
   * Flushes every closed bucket, oldest first. `all` (shutdown, before retiring the writers, tests) flushes the
   * open buckets too: their cells move into a bucket named by the seal (`now − graceMs`), never by a future
   * instant, so no row marker lies in the future even if Redis later loses its keys.
   *
   * @throws {DynotallyError} `CONFIG_INVALID`, before anything is done, when the aggregate table belongs to a buffer
   * with another key prefix (`claimTableBuffer`: a table takes one buffer).
   */
  flushClosed(options?: { all?: boolean }): Promise<FlushReport>;
  /**
   * Runs {@link Flusher.flushClosed} every `intervalMs` (default a third of the bucket width, at most a minute).
   *
   * @throws {DynotallyError} `CONFIG_INVALID` when `keyTtlMs` is shorter than `bucketMs + graceMs + intervalMs`
   * plus 24 hours: a bucket could expire in Redis before the next tick.
   */
  start(intervalMs?: number): void;
  /** Stops the timer and waits for a flush in progress. */
  stop(): Promise<void>;
}

const READ_CHUNK = 200;

/** The reason of a letter stored by the re-run of a bucket whose earlier run refused the part and tied its marker. */
const REFUSED_EARLIER =
  'refused by DynamoDB in an earlier run of this flush, which marked the row (_fr) and stopped before its letter was stored';

/**
 * Moves closed buckets from Redis to DynamoDB, so that a crash at any step loses nothing and counts nothing
 * twice:
 * 1. seal: buckets closing at or before `now − graceMs` take no more writes (a writer whose clock is behind goes to
 *    the next bucket of its width after the seal);
 * 2. for the oldest unflushed bucket, every row update `ADD`s the bucket's deltas and sets the row's flush
 *    marker `_fb` to the bucket, only if the marker is below it (a re-run after a crash skips rows already done);
 *    a row too wide for one write is written in parts, in order, each setting `_fb` to a value between the
 *    bucket's and the next bucket's that grows part by part (`rowParts`), so a re-run skips the parts written;
 * 3. the bucket is marked done in Redis (its keys expire after `keepFlushedMs`), then the next bucket.
 * Buckets are flushed strictly oldest first, so a row's marker only grows and one attribute is enough.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a `bucketMs`, `keyTtlMs`, `concurrency`, `graceMs`, `keepFlushedMs`
 * or `lockMs` out of range, or a dead-letter sink that keeps letters for less than the keys live.
 *
 * @example
 * ```ts
 * const flusher = createFlusher({ redis, client, table: 'aggregates', rollups: [storeMetrics] });
 * const report = await flusher.flushClosed();
 * ```
 */
export function createFlusher(options: FlusherOptions): Flusher {
  return new BucketFlusher(options);
}

class BucketFlusher implements Flusher {
  private readonly rollups: ReadonlyMap<string, CompiledRollup>;
  private readonly keys: ReturnType<typeof bufferKeys>;
  private readonly prefix: string;
  private readonly keyTtlMs: number;
  private readonly bucketMs: number;
  private readonly graceMs: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly waitReplicas: Required<WaitReplicasOptions> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private readonly retention: RetentionRecorder;
  private readonly owner: TableBufferCheck;

  constructor(private readonly options: FlusherOptions) {
    this.rollups = new Map(
      options.rollups.map((r) => ('compiled' in r ? r.compiled : r)).map((c) => [c.name, c]),
    );
    this.bucketMs = options.bucketMs ?? 15 * 60_000;
    if (!(this.bucketMs >= 1) || !Number.isFinite(this.bucketMs)) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `bucketMs must be a positive number of milliseconds, got ${options.bucketMs}`,
      );
    }
    // concurrency 0 or NaN used to mark buckets done without writing them (flusher-options.ts)
    checkFlusherOptions(options);
    // a truthy string would accept a risk nobody chose, as on the applier
    if (options.acceptEviction !== undefined && typeof options.acceptEviction !== 'boolean')
      throw new DynotallyError(
        'CONFIG_INVALID',
        `acceptEviction must be true or false (got ${JSON.stringify(options.acceptEviction)})`,
        { details: { option: 'acceptEviction' } },
      );
    this.graceMs = options.graceMs ?? 10_000;
    this.waitReplicas = waitReplicasOptions(options.waitReplicas);
    // a bucket is flushed graceMs after it closes at the earliest: its keys must outlive that, with a day to spare
    // (bucketKeysOptions; the appliers check their own widest bucket the same way)
    const k = bucketKeysOptions(options, {
      ms: this.bucketMs + this.graceMs,
      what: `bucketMs + graceMs (${this.bucketMs} + ${this.graceMs} ms)`,
    });
    this.prefix = k.keyPrefix;
    this.keyTtlMs = k.keyTtlMs;
    // a re-run of a failed flush sends its letters again while the bucket's keys live: the sink must remember them
    checkLetterRetention(options.deadLetter?.retentionDays, this.keyTtlMs);
    this.keys = bufferKeys(this.prefix);
    this.timeoutMs = options.redisTimeoutMs ?? 10_000;
    this.logger = options.logger ?? jsonLogger();
    this.retention = new RetentionRecorder({
      client: options.client,
      table: options.table,
      rollups: [...this.rollups.values()],
    });
    // an evicting Redis is the appliers' to refuse: the flusher only moves counts out of it and frees memory, so it
    // flushes what is there and says so (once until it is fixed; refused, it would strand them behind the configuration change)
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
      (refusal) => {
        if (options.acceptEviction === true) {
          const { policy, maxmemory } = refusal.details as { policy?: string; maxmemory?: number };
          // accepted by the process (its appliers warn too): a warning, not an error line asking for noeviction
          this.logger.warn(
            `Redis has maxmemory ${maxmemory} with maxmemory-policy ${policy}, accepted (acceptEviction: true): the flusher goes on`,
            { ...refusal.details, acceptEviction: true },
          );
          return;
        }
        this.logger.error(
          `${refusal.message}. The flusher goes on (it only frees memory); the appliers refuse it unless created with acceptEviction: true`,
          {
            ...refusal.details,
          },
        );
      },
      () => this.now(),
    );
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private call<T>(p: Promise<T>, what: string): Promise<T> {
    return redisCall(p, this.timeoutMs, what);
  }

  async flushClosed(opts: { all?: boolean } = {}): Promise<FlushReport> {
    const started = Date.now();
    const now = this.now();
    const seal = now - this.graceMs;
    const report = emptyFlushReport(seal);
    // the table takes one buffer: another's flushes would have set the markers of this one's buckets (buffer-owner.ts)
    await this.owner.ensure();
    const lockMs = this.options.lockMs ?? 60_000;
    const lock = await FlushLock.take({
      redis: this.options.redis,
      prefix: this.prefix,
      lockMs,
      timeoutMs: this.timeoutMs,
    });
    if (lock === undefined) {
      report.skipped = 'locked';
      report.durationMs = Date.now() - started;
      return report;
    }
    try {
      if (this.options.rejoinFences ?? true) report.fencesRejoined = await this.rejoinFences(now);
      // `all` never seals past `seal`: the open buckets' cells move into a bucket named by the seal instead, so
      // no row marker written by this flush lies in the future (docs/redis-buffer.md, "Flushing open buckets")
      const inForce = Number(
        await this.call(
          SEAL_SCRIPT.run(
            this.options.redis,
            [],
            [this.prefix, String(seal), String(this.keyTtlMs), opts.all ? '1' : '0'],
          ),
          'seal closed buckets',
        ),
      );
      // the buckets' cells, the seal and a seal move are what the rows written below absorb: a failover that lost
      // them would bring back a bucket already flushed (under the move's marker) or a batch whose watermark went
      if (this.waitReplicas !== undefined) {
        await confirmReplicas(
          this.options.redis,
          this.prefix,
          this.keyTtlMs,
          this.waitReplicas,
          this.timeoutMs,
          'seal closed buckets',
        );
      }
      report.seal = inForce;
      await this.options.onStep?.({ step: 'sealed', seal: inForce });
      // the rollups this flush found removed, said once each
      const removedSaid = new Set<string>();
      for (;;) {
        const next = await this.call(
          this.options.redis.zrangebyscore(this.keys.open, '-inf', inForce, 'LIMIT', 0, 1),
          'list closed buckets',
        );
        if (next.length === 0) break;
        const bucket = Number(next[0]);
        // the lease renews itself while the bucket is flushed (flush-lock.ts); what loses it is a pause longer than
        // lockMs (a stopped process, a long GC, Redis out of reach), and then the bucket stops at its next row
        const finished = await this.flushBucket(bucket, now, report, lock, removedSaid);
        if (finished) {
          report.buckets++;
          await this.options.onStep?.({ step: 'bucket-done', bucket, buckets: report.buckets });
        }
        if (!finished || !(await lock.renew())) {
          // another flusher holds the lock now and goes on from here. Nothing would be counted twice (the rows'
          // markers), but the work would be done twice, and billed.
          this.logger.warn(
            'the flusher lock ran out (a pause longer than lockMs: a stopped process, a long GC, Redis out of reach) and another flusher holds it now; this one stops',
            { lockMs, bucket, midBucket: !finished },
          );
          break;
        }
      }
    } finally {
      await lock.release(this.logger);
    }
    report.durationMs = Date.now() - started;
    return report;
  }

  /**
   * Writes every row of a bucket and marks it done; false when the lock was lost on the way (checked before every
   * chunk, every row and the mark: the rows written so far stay written, the rest is left to the lock's holder).
   */
  private async flushBucket(
    bucket: number,
    now: number,
    report: FlushReport,
    lock: FlushLock,
    removedSaid: Set<string>,
  ): Promise<boolean> {
    const { redis } = this.options;
    const pks = await this.call(redis.smembers(this.keys.groups(bucket)), 'list the groups of a bucket');
    await this.options.onStep?.({ step: 'bucket-start', bucket, groups: pks.length });
    // the newest seal move at or before this bucket goes into its markers: a reader whose snapshot still holds
    // a moved bucket under its old, higher name then knows the row holds it (flush-marker.ts). A later move
    // always lands above the seal, so a re-run of this bucket finds the same one.
    const moves = await this.call(
      redis.zrevrangebyscore(this.keys.moves, bucket, '-inf', 'LIMIT', 0, 1),
      'find the seal move before a bucket',
    );
    const marker = flushMarker(bucket, moves[0]);
    let written = 0;
    let rowsInBucket = 0;
    for (let i = 0; i < pks.length; i += READ_CHUNK) {
      if (!lock.held()) return false;
      const chunk = pks.slice(i, i + READ_CHUNK);
      const pipeline = redis.pipeline();
      for (const pk of chunk) pipeline.hgetall(this.keys.data(bucket, pk));
      const results = (await this.call(pipeline.exec(), 'read a bucket')) ?? [];
      const rows: RowWrite[] = [];
      const unplaced: UnplacedRow[] = [];
      results.forEach(([err, cells], j) => {
        if (err)
          throw new DynotallyError('REDIS_UNAVAILABLE', `Redis failed to read a bucket: ${err.message}`, {
            cause: err,
          });
        const out = rowsFromCells(this.rollups, chunk[j] as string, cells as Record<string, string>, now);
        rows.push(...out.rows);
        unplaced.push(...out.unplaced);
        report.rowsExpired += out.expired;
      });
      // cells of a row kind the rollup no longer has (its granularities changed while they were buffered), or of a
      // rollup removed from the configuration: set aside with their deltas, so they block neither this bucket nor
      // any later one (a re-run stores them once)
      for (const u of unplaced) {
        if (u.removed && !removedSaid.has(u.rollup)) {
          removedSaid.add(u.rollup);
          this.logger.warn(
            `the Redis buffer holds rows of rollup '${u.rollup}', which the flusher was not given (removed from the configuration, or added by a deploy that has not reached this flusher yet?): they go to the dead letters as UNKNOWN_ROLLUP with their deltas. If it is in use, give the flusher every rollup the buffered appliers write, then replay them with it (the replay writes them as the flush would have, TTL and leaderboard entry)`,
            { rollup: u.rollup, bucket, deadLetter: this.options.deadLetter !== undefined },
          );
        }
        // the row a flusher on a newer configuration wrote before it stopped short of marking the bucket done is
        // not lettered again: its replay would count it twice (review s41y)
        if (await this.letterUnplaced(u, bucket, marker)) report.rowsDeadLettered++;
        else report.rowsAlreadyApplied++;
      }
      rowsInBucket += rows.length;
      report.rows += rows.length;
      const stored: StoredRow[] = [];
      // the rows' TTLs come from this flusher's rollups: their retention histories hold them first
      if (rows.length > 0) report.writeUnits += (await this.retention.ensure(now)).writeUnits;
      await mapLimit(rows, this.options.concurrency ?? 16, async (row) => {
        if (!lock.held()) return;
        await this.writeRow(row, bucket, marker, now, report, stored);
        written++;
        await this.options.onStep?.({ step: 'row-written', bucket, written });
      });
      // what DynamoDB now holds, where it is wide: the write script checks later sums against it (stored-hints.ts)
      await updateStoredHints(redis, this.prefix, stored, this.keyTtlMs, this.timeoutMs, this.rollups);
    }
    if (!lock.held()) return false;
    await this.options.onStep?.({ step: 'rows-written', bucket, rows: rowsInBucket });
    const keep = this.options.keepFlushedMs ?? 5 * 60_000;
    await this.call(
      DONE_SCRIPT.run(
        redis,
        [],
        [this.prefix, String(bucket), String(now), String(keep), String(this.keyTtlMs), String(now - keep)],
      ),
      'mark the bucket flushed',
    );
    return true;
  }

  /**
   * Writes one row of a bucket: one conditional `UpdateItem`, or, for a row too wide for one write, its parts
   * one after another ({@link rowParts}), each skipped if an earlier run wrote it.
   */
  private async writeRow(
    row: RowWrite,
    bucket: number,
    marker: string,
    now: number,
    report: FlushReport,
    stored: StoredRow[],
  ): Promise<void> {
    const { client, table } = this.options;
    const problem = rowLimitProblem(row);
    let wrote = false;
    let skipped = false;
    for (const { row: part, marker: value, part: id } of rowParts(row, marker)) {
      try {
        if (problem !== undefined) throw Object.assign(new Error(problem), { name: 'ValidationException' });
        // built inside the try: a sum DynamoDB cannot hold (NUMBER_OUT_OF_RANGE) is this row's problem alone
        const input = {
          ...rowUpdateParams(table, part, {
            now,
            watermark: { attr: FLUSH_MARKER_ATTR, value, first: value },
          }),
          ReturnConsumedCapacity: 'INDEXES' as const,
          ReturnValues: 'UPDATED_NEW' as const,
        };
        const out = await withRetry(() => client.send(new UpdateItemCommand(input)), {
          ...this.options.retry,
          onRetry: (e, attempt) => {
            report.retries++;
            this.options.retry?.onRetry?.(e, attempt);
          },
        });
        report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
        wrote = true;
        stored.push(storedRowOf(part, out.Attributes ?? {}, value));
      } catch (e) {
        if (isRowRejection(e)) {
          // a key over its limit or a delta that is no DynamoDB number is refused for what it is, on every run: only
          // a refusal that depends on what the row holds needs tying to its letter (refused-marker.ts)
          const tie = problem === undefined && !isDynotallyError(e, 'NUMBER_OUT_OF_RANGE');
          if (await this.rejectRow(part, bucket, value, e, id, tie, report, stored)) skipped = true;
        } else if (!(e instanceof ConditionalCheckFailedException)) throw e;
        else {
          report.writeUnits += 1; // a failed conditional write is billed
          const item = e.Item;
          // what the row holds (the reply to the write may have been lost, or the run that wrote it stopped before
          // recording it): the write script's hint of a wide value, from the failed condition's ALL_OLD item
          if (item !== undefined) stored.push(storedRowOf(part, item, value));
          const refused = refusalAt(item, value);
          if (refused !== undefined) {
            // an earlier run of this bucket refused the part and tied its marker. Tied in the letter's transaction,
            // the letter exists or existed (replayed, maybe dropped): nothing to send. Tied apart, the run may have
            // stopped before the letter was stored: store it (same key, so once while it is kept)
            if (refused === 'tied') await this.sendLetter(part, bucket, REFUSED_EARLIER, id);
            skipped = true;
          } else if (refusalAt(item, letteredMarker(marker)) === 'with-letter') {
            // a flusher that did not know the row lettered its cells of this bucket, tied in the letter's
            // transaction, and stopped before marking the bucket done (held-cells.ts letterTie): its cells are the letter's
            skipped = true;
          }
        }
      }
    }
    // a row counts once: dead-lettered if any of its parts was
    if (skipped) report.rowsDeadLettered++;
    else if (wrote) report.rowsWritten++;
    else report.rowsAlreadyApplied++;
  }

  /**
   * A part DynamoDB will never take as it is: its deltas go to the dead-letter sink, and the flush goes on. When
   * `tie` (the refusal depends on what the row holds), the row's `_fb` moves to the part's marker first, with `_fr`
   * saying so (refused-marker.ts): a re-run of the bucket (this flush failing later) then never writes the part,
   * even if DynamoDB would take it by then, and stores the letter if this run did not get to. Moving the marker
   * first means no crash leaves the part both in the row and in a letter, nor in neither. False when the marker
   * was already past the part and not by a refusal: another flusher (this one's lease lost) wrote it.
   */
  private async rejectRow(
    row: RowWrite,
    bucket: number,
    marker: string,
    error: unknown,
    part: string | undefined,
    tie: boolean,
    report: FlushReport,
    stored: StoredRow[],
  ): Promise<boolean> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (tie && this.options.deadLetter?.commitsAlongside === true) {
      return this.tieWithLetter(row, bucket, marker, reason, part, report, stored);
    }
    if (tie) {
      const { client, table } = this.options;
      try {
        const out = await withRetry(
          () => client.send(new UpdateItemCommand(refusedMarkerParams(table, row.pk, row.sk, marker))),
          {
            ...this.options.retry,
            onRetry: (e, attempt) => {
              report.retries++;
              this.options.retry?.onRetry?.(e, attempt);
            },
          },
        );
        report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
        // what the row holds: the hint the write script lacked when it let these deltas through
        if (out.Attributes !== undefined) stored.push(storedRowOf(row, out.Attributes, marker));
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) {
          report.writeUnits += 1;
          const item = e.Item;
          const refused = refusalAt(item, marker);
          if (item !== undefined && refused === undefined) {
            stored.push(storedRowOf(row, item, marker));
            return false;
          }
          // tied with its letter by another run: the letter exists or existed
          if (refused === 'with-letter') return true;
          // no row (refused for what it is), or tied already by another run: the letter
        } else if (isRowRejection(e)) {
          this.logger.warn(
            'a refused aggregate row could not be marked as dead-lettered; its letter is sent, but a later run of this bucket would write the row again if DynamoDB took it by then: check the row before replaying the letter',
            { pk: row.pk.slice(0, 200), sk: row.sk, bucket, error: e },
          );
        } else throw e;
      }
    }
    await this.sendLetter(row, bucket, reason, part);
    return true;
  }

  /**
   * {@link rejectRow}'s tie for a sink that commits a write with its letters (the DynamoDB sink): the part's letter
   * and the tie (`_fb` and `_fr` to the part's marker, tied-letter.ts) in one transaction, so the part is in a
   * letter exactly when the row says so. A re-run that finds the tie skips the part and sends nothing: its letter
   * exists, or existed and was replayed (and maybe dropped). The tie's condition failed: no row (refused for what it
   * is) sends the letter untied; `_fr` at the marker (another run tied it) skips; a marker past the part otherwise
   * (another flusher wrote it) returns false. A row that cannot take the tie (at its size limit) sends the letter
   * untied, with a warning, as the other path does.
   */
  private async tieWithLetter(
    row: RowWrite,
    bucket: number,
    marker: string,
    reason: string,
    part: string | undefined,
    report: FlushReport,
    stored: StoredRow[],
  ): Promise<boolean> {
    const { client, table, deadLetter } = this.options;
    const letter = rejectedRowLetter(row, bucket, this.letterSource(), reason, this.now(), part);
    try {
      await (deadLetter as DeadLetterSink).send([letter], {
        alongside: tieWrite(table, row.pk, row.sk, marker),
      });
      report.writeUnits += 2; // the row's transactional update
    } catch (e) {
      const refusal = tieRefusal(e);
      if (refusal === undefined) throw e;
      report.writeUnits += 1;
      if (refusal.kind === 'invalid') {
        this.logger.warn(
          'a refused aggregate row could not be marked as dead-lettered; its letter is sent, but a later run of this bucket would write the row again if DynamoDB took it by then: check the row before replaying the letter',
          { pk: row.pk.slice(0, 200), sk: row.sk, bucket, error: e },
        );
        await this.deliver(letter);
        return true;
      }
      const item = refusal.item;
      const refused = refusalAt(item, marker);
      // no row: refused for what it is, the letter alone; tied apart by an earlier run: its letter may be missing
      if (item === undefined || refused === 'tied') await this.deliver(letter);
      else if (refused === undefined) {
        stored.push(storedRowOf(row, item, marker));
        return false;
      }
      return true;
    }
    // what the row holds: the hint the write script lacked when it let these deltas through
    const out = await withRetry(
      () =>
        client.send(
          new GetItemCommand({
            TableName: table,
            Key: { pk: { S: row.pk }, sk: { S: row.sk } },
            ConsistentRead: true,
          }),
        ),
      this.options.retry,
    );
    if (out.Item !== undefined) stored.push(storedRowOf(row, out.Item, marker));
    return true;
  }

  /**
   * Sends the letter of an unplaced row (a rollup or row kind this flusher does not know) with the cells the row does
   * not hold yet ({@link unheldCells}: a flusher on a newer configuration may have written the bucket's row, or its
   * first parts, and stopped before marking the bucket done); false when it holds them all (nothing sent). With a
   * sink that commits a write with its letters, the letter is stored with {@link letterTie}: only if the row's `_fb`
   * is still as read (a flush that wrote it meanwhile, this flusher's lease lost, makes it read again), and moving
   * `_fb` past every write a flush of this bucket makes to the row, so a flusher on a newer configuration that runs
   * the bucket again after this one stopped leaves the row to the letter (review s42y). A row tied so by an earlier
   * run of this bucket holds nothing more to letter: its letter exists or existed (true, nothing sent).
   */
  private async letterUnplaced(u: UnplacedRow, bucket: number, marker: string): Promise<boolean> {
    const { client, table, deadLetter } = this.options;
    // a key DynamoDB refuses cannot be read (nor written by any flush): its cells are all the letter's
    if (rowLimitProblem(u) !== undefined) {
      await this.deliver(unplacedRowLetter(u, bucket, this.letterSource(), this.now()));
      return true;
    }
    for (let attempt = 0; ; attempt++) {
      const out = await withRetry(
        () =>
          client.send(
            new GetItemCommand({
              TableName: table,
              Key: { pk: { S: u.pk }, sk: { S: u.sk } },
              ConsistentRead: true,
              ProjectionExpression: '#w, #r',
              ExpressionAttributeNames: { '#w': FLUSH_MARKER_ATTR, '#r': FLUSH_REFUSED_ATTR },
            }),
          ),
        this.options.retry,
      );
      const stored = out.Item?.[FLUSH_MARKER_ATTR]?.S;
      const rest = unheldCells(u, bucket, stored);
      // tied with its letter by an earlier run (this flusher's, or a part refused by a newer one's): lettered
      if (rest.adds.length === 0) return refusalAt(out.Item, letteredMarker(marker)) === 'with-letter';
      const letter = unplacedRowLetter(rest, bucket, this.letterSource(), this.now());
      if (deadLetter?.commitsAlongside !== true) {
        await this.deliver(letter);
        return true;
      }
      try {
        await deadLetter.send([letter], { alongside: letterTie(table, u.pk, u.sk, stored, marker) });
        return true;
      } catch (e) {
        const refusal = tieRefusal(e);
        if (refusal?.kind === 'invalid') {
          // a row at its size limit cannot take the tie: the letter alone, as a refused row's (tieWithLetter)
          this.logger.warn(
            'an aggregate row the flusher cannot place could not be tied to its dead letter; its letter is sent, but a flusher that knows its rollup and runs this bucket again would write the row too: check the row before replaying the letter',
            { pk: u.pk.slice(0, 200), sk: u.sk, bucket, error: e },
          );
          await this.deliver(letter);
          return true;
        }
        // the row's marker moved since it was read: read it again (a few times: only another flusher moves it)
        if (refusal?.kind !== 'condition' || attempt >= 3) throw e;
      }
    }
  }

  private async sendLetter(
    row: RowWrite,
    bucket: number,
    reason: string,
    part: string | undefined,
  ): Promise<void> {
    await this.deliver(rejectedRowLetter(row, bucket, this.letterSource(), reason, this.now(), part));
  }

  private letterSource(): string {
    return `redis-flush:${this.prefix}:${this.options.table}`;
  }

  private async deliver(letter: DeadLetter): Promise<void> {
    if (this.options.deadLetter !== undefined) await this.options.deadLetter.send([letter]);
    else
      this.logger.error('dead letter: aggregate row the flusher cannot write, skipped', {
        code: letter.code,
        reason: letter.reason,
        deltas: letter.deltas,
      });
  }

  private async rejoinFences(now: number): Promise<number> {
    const { client, table, redis } = this.options;
    let rejoined = 0;
    for (const fence of await listFences(client, table)) {
      const outcome = await rejoinShard(
        {
          redis,
          prefix: this.prefix,
          client,
          table,
          timeoutMs: this.timeoutMs,
          keyTtlMs: this.keyTtlMs,
          bucket: bucketId(now, this.bucketMs),
          bucketWidth: this.bucketMs,
          logger: this.logger,
          waitReplicas: this.waitReplicas,
        },
        fence,
      );
      if (outcome?.removed) rejoined++;
    }
    return rejoined;
  }

  start(intervalMs = Math.min(Math.max(1_000, Math.floor(this.bucketMs / 3)), 60_000)): void {
    // a bucket written at its opening is flushed up to bucketMs + graceMs + intervalMs later: its keys must be there
    const least = this.bucketMs + this.graceMs + intervalMs + REDELIVERY_HORIZON_MS;
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs) || this.keyTtlMs < least) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `the flush interval must be a positive number of ms with keyTtlMs at least bucketMs + graceMs + the interval + 24 hours (${least} ms), got an interval of ${intervalMs} ms and keyTtlMs ${this.keyTtlMs}: a bucket's keys would expire before the flusher reached it. Flush more often`,
        { details: { intervalMs, keyTtlMs: this.keyTtlMs } },
      );
    }
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async (): Promise<void> => {
      try {
        const report = await this.flushClosed();
        if (report.buckets > 0) this.logger.info('flushed closed Redis buckets', { ...report });
      } catch (e) {
        this.logger.error(
          isDynotallyError(e)
            ? `flush failed (${e.code}); it is retried on the next tick`
            : 'flush failed; it is retried on the next tick',
          { error: e },
        );
      }
    };
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = tick().finally(schedule);
      }, intervalMs);
      this.timer.unref?.();
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
