import type { ApplyReport } from '../apply/index.ts';
import type { WaitReason } from './batch-processor.ts';

/**
 * Progress of one shard this worker holds.
 *
 * @example
 * ```ts
 * for (const s of worker.stats().shards) console.log(s.shardId, s.checkpoint, s.iteratorAgeMs);
 * ```
 */
export interface ShardProgress {
  shardId: string;
  parentShardId?: string | undefined;
  /** `reading` (polling), `processing` (a batch in the handler), `ended` (read to SHARD_END), `stopping`. */
  state: 'reading' | 'processing' | 'ended' | 'stopping';
  /** Last checkpoint written (a sequence number or `SHARD_END`). */
  checkpoint?: string | undefined;
  /** Records handled (applied or dead-lettered) since this worker took the shard. */
  records: number;
  batches: number;
  /** `ApproximateCreationDateTime` (epoch ms) of the last record processed. */
  lastRecordAt?: number | undefined;
  /** Iterator age: how old the last record was when its batch was processed (ms), as Lambda reports it. */
  iteratorAgeMs?: number | undefined;
  /** Estimate of how far behind the newest record the shard is: 0 when the last poll came back empty. */
  millisBehindLatest?: number | undefined;
  /** The last poll returned no records and nothing is buffered or in flight. */
  caughtUp: boolean;
  /**
   * Set while the batch in flight keeps failing (the handler throws or the dead-letter sink cannot store):
   * consecutive failed attempts, the last error, the wait before the next attempt, since when (epoch ms).
   */
  failing?:
    | {
        attempts: number;
        records: number;
        lastError: string;
        backoffMs: number;
        stage: 'handler' | 'dead-letter';
        since: number;
        /**
         * Set while the batch is waited out rather than retried a bounded number of times: `'redis'` while the Redis
         * buffer is unreachable (or its replicas lag), `'dynamodb'` while a batch the buffer took cannot be finished
         * (`BUFFERED_BATCH_UNFINISHED`: its extrema writes or its letters fail), `'deployment'` while the write side refuses it for what the
         * process deploys. Such a batch is never split or dead-lettered: the shard holds it until it goes through.
         */
        waiting?: WaitReason | undefined;
      }
    | undefined;
}

/**
 * A snapshot of what a worker is doing: `stats()` and `onProgress` return it.
 *
 * @example
 * ```ts
 * const s = worker.stats();
 * console.log(`${s.recordsPerSecond.toFixed(0)} rec/s, lag ${s.iteratorAgeMs ?? 0} ms, ${s.leasesHeld} shards`);
 * ```
 */
export interface WorkerStats {
  workerId: string;
  streamArn: string | undefined;
  state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped';
  /** Running, nothing in flight or buffered, every held shard caught up, and no shard of its share waiting. */
  idle: boolean;
  leasesHeld: number;
  /** Live workers on the stream, this one included, as of the last coordination cycle. */
  workers: number;
  /** Shards ready for processing (parents finished, not finished themselves), as of the last cycle. */
  readyShards: number;
  /** Ready shards whose lease another worker holds (it may be dead: its lease has not expired yet). */
  heldByOthers: number;
  /**
   * Whether this worker has watched the lease table for a lease duration (its own clock): from then on every lease
   * `heldByOthers` counts has been renewed as it watched, so it belongs to a live worker (a crashed worker's lease has
   * expired by then, and is taken). Before, a lease is taken for held whatever its holder does (a cold start).
   * Optional in the type (added in session 42, so `WorkerStats` built by code of its own still compiles); the worker
   * always sets it, and code reading stats from elsewhere should take a missing value as `false`.
   */
  leasesJudged?: boolean;
  shards: ShardProgress[];
  /** Records handled (applied or dead-lettered) since start. */
  records: number;
  batches: number;
  /** Records the worker sent to the dead-letter sink (too old, retries exhausted). */
  deadLettered: number;
  retries: number;
  bisections: number;
  /** Failed batch attempts since start, counted as they happen (a stalled batch shows here at once). */
  failedAttempts: number;
  /** Held shards whose batch is failing right now (see `shards[].failing`). */
  failingShards: number;
  /** The error of the latest failed attempt on any shard. */
  lastError?: string | undefined;
  /** Records per second over the last 10 seconds. */
  recordsPerSecond: number;
  /** Largest iterator age over held shards (ms). */
  iteratorAgeMs: number | undefined;
  /** Largest `millisBehindLatest` over held shards (ms). */
  millisBehindLatest: number | undefined;
  leasesTaken: number;
  leasesReleased: number;
  /**
   * Leases a consumer could not release when it stopped (the `UpdateItem` failed: DynamoDB unreachable, throttled):
   * each expires on its own after `leaseDurationMs`, and another worker takes the shard then. `dynotally worker`
   * names them when it stops. The worker always sets it (0 when none failed); optional so that code building a
   * `WorkerStats` of its own (a test double, an adapter), written before the field was added, still compiles:
   * read it as `stats.leaseReleasesFailed ?? 0` (review s42q).
   */
  leaseReleasesFailed?: number | undefined;
  leasesLost: number;
  shardsEnded: number;
  /** Coordination cycles and shard loops that hit an error (logged). */
  errors: number;
  /** Sum of the handler's apply reports (rows written, write units, already-applied rows …). */
  apply: ApplyReport;
  startedAt: number | undefined;
}

/**
 * Records per second over a sliding window of whole seconds.
 *
 * @example
 * ```ts
 * const meter = new ThroughputMeter();
 * meter.add(100);
 * meter.rate(); // records/s over the last 10 s
 * ```
 */
export class ThroughputMeter {
  private readonly counts: number[];
  private readonly seconds: number[];

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
    private readonly since = now(),
  ) {
    this.counts = new Array(windowSeconds).fill(0);
    this.seconds = new Array(windowSeconds).fill(-1);
  }

  add(n: number): void {
    const s = Math.floor(this.now() / 1000);
    const i = s % this.windowSeconds;
    if (this.seconds[i] !== s) {
      this.seconds[i] = s;
      this.counts[i] = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + n;
  }

  rate(): number {
    const now = this.now();
    const s = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const at = this.seconds[i] ?? -1;
      if (at > s - this.windowSeconds && at <= s) sum += this.counts[i] ?? 0;
    }
    const span = Math.min(this.windowSeconds, Math.max(1, (now - this.since) / 1000));
    return sum / span;
  }
}
