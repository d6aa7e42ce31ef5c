import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import type { ApplyMode, ExactlyOnceStrategy, RetryOptions, RollupLike, WriteSide } from '../apply/index.ts';
import type { WriteOptions } from '../apply/write-options.ts';
import type { DeadLetterSink } from '../dead-letter/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { Logger } from '../logging/index.ts';
import { LEASE_FENCE_MS } from '../versions/lease-fence.ts';
import type { StartingPosition } from './lease.ts';
import type { WorkerStats } from './worker-stats.ts';

/**
 * Options of {@link createStreamWorker}. Give the stream as `streamArn` or as `sourceTable` (its latest
 * stream is looked up). Clients: bring your own (never destroyed) or give configs (clients made from them are
 * destroyed on `stop()`); the streams client defaults to one made from `streamsClientConfig`, else
 * `clientConfig`, else the AWS defaults.
 *
 * @example
 * ```ts
 * const options: StreamWorkerOptions = {
 *   clientConfig: { endpoint: 'http://127.0.0.1:8000', region: 'local' },
 *   sourceTable: 'jobs', leaseTable: 'dynotally-leases', table: 'dynotally-aggregates',
 *   rollups: [jobsPerCustomer], deadLetter: { table: 'dynotally-dead-letters' },
 * };
 * // counting into a Redis buffer instead (flushed by `dynotally flush`):
 * const buffered: StreamWorkerOptions = { ...options, applier: createBufferedApplier({ redis, client, table, rollups }) };
 * ```
 */
export interface StreamWorkerOptions {
  /** DynamoDB Streams client for `DescribeStream`, `GetShardIterator`, `GetRecords`. */
  streamsClient?: DynamoDBStreamsClient;
  streamsClientConfig?: DynamoDBStreamsClientConfig;
  /** DynamoDB client for the lease, aggregate and dead-letter tables (and `DescribeTable`). */
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** The stream to consume. */
  streamArn?: string;
  /** Or the source table whose latest stream to consume. */
  sourceTable?: string;
  /** Lease and checkpoint table (`createLeaseTable`). */
  leaseTable: string;
  /** Unique per worker process; default `<hostname>-<pid>-<random>`. */
  workerId?: string;
  /** The rollups to fold; with `applier`, the same rollups the applier folds. */
  rollups: readonly RollupLike[];
  /** Aggregate table (checked to exist at start; with `applier`, the table the applier or its flusher writes). */
  table: string;
  /**
   * A ready write side (e.g. `createBufferedApplier` of `dynotally/redis`) used instead of building an
   * `Applier`. Its settings are its own: `mode`, `strategy`, `concurrency` and `retry` beside it are rejected
   * with `CONFIG_INVALID`. Poison records it returns go to `deadLetter`.
   */
  applier?: WriteSide;
  mode?: ApplyMode;
  strategy?: ExactlyOnceStrategy;
  /** Parallel row writes per batch (default 32). */
  concurrency?: number;
  /** Retries of throttled or failed writes inside one apply. */
  retry?: RetryOptions;
  /** How rows are written: PartiQL 25 a request (default) or one `UpdateItem` each (`{ api: 'update-item' }`). */
  write?: WriteOptions;
  /** Bytes of exactly-once state a row may carry before it goes to the per-shard transaction path (default 2048). */
  stateBudgetBytes?: number;
  /** Where records that cannot be applied go: a sink, a dead-letter table, or `'log'` (default). */
  deadLetter?: DeadLetterSink | { table: string } | 'log';
  logger?: Logger;
  /** Records per batch, 1–1000 (default 100; one `GetRecords` returns at most 1000). */
  batchSize?: number;
  /** Wait up to this long (ms) for a batch to fill (default 0: process what one poll returns). */
  batchWindowMs?: number;
  /** Pause between polls of a shard that returned nothing (default 250 ms). */
  pollIntervalMs?: number;
  /**
   * A lease not renewed for this long may be taken over (default 10 000 ms). Also how long one request to the lease
   * table (scan, take, renew, checkpoint, release, presence) may go unanswered before it is given up and retried (a
   * passed `client` without request timeouts would otherwise hold a stop for good).
   */
  leaseDurationMs?: number;
  /** Lease renewal and coordination period (default `leaseDurationMs / 3`). */
  heartbeatMs?: number;
  /** How often to list the stream's shards (default 30 000 ms; also whenever a shard ends). */
  discoveryIntervalMs?: number;
  /**
   * Where the shards listed when the workers first meet the stream start (default `TRIM_HORIZON`); the first worker
   * records it in the lease table and every later worker follows that record (docs/worker.md, "Starting position").
   */
  startingPosition?: StartingPosition;
  /** Retries of a failing batch before bisecting or dead-lettering (default 3; `Infinity` blocks until `maxRecordAgeMs`). */
  maxRetries?: number;
  /** Records older than this go to the dead-letter sink unapplied (default: no limit). */
  maxRecordAgeMs?: number;
  /**
   * How long after a shard's consumer starts its batches begin naming the shard's finished ancestors, whose
   * exactly-once states then leave every row written (default 900 000 ms). The wait outlasts any write of a
   * worker that lost an ancestor's lease while a request was in flight (its retries end well within it): such a
   * late write still meets the ancestor's state and changes nothing.
   */
  pruneAncestorsAfterMs?: number;
  /**
   * How long a refusal (`ResourceNotFoundException`, no success between) must last before it is taken as "gone",
   * whatever was not read lost (default 300 000 ms). A shard consumer's: for a shard its stream still lists, or when
   * the stream cannot be described (a shard `DescribeStream` no longer lists is gone at once: trimmed). With
   * `sourceTable`, also an older stream's (not the table's latest): the worker then goes on to the next stream. Until
   * then each refusal is retried: one refusal (an endpoint's eventual consistency) must not pass a shard or a stream
   * over. Also how long a `ListStreams` that does not list the table's latest stream yet (it lags) is waited for
   * before the worker follows the table with what it lists.
   */
  streamGoneAfterMs?: number;
  /**
   * How long one call of the write side (the handler's apply of a batch, or of a retried or bisected part of it) may
   * take before the worker takes it as hung (default 300 000 ms; `Infinity`: never). It then logs `APPLY_TIMEOUT`,
   * abandons the batch without checkpointing it, stops renewing the shard's lease and releases it, and takes the shard
   * back only after two lease durations (another worker takes it meanwhile; a lone worker then redelivers the batch
   * itself). The hung call cannot be interrupted: from the timeout on its `leaseHeld` says false, so a write side that
   * checks it (the built-in ones do) sends no further request, and whatever it returns later is ignored. A call of the
   * dead-letter sink (with the probe of the rows its letters name) is bounded the same way, with no checkpoint past the
   * letters; one that wakes up late sends them nowhere.
   */
  applyTimeoutMs?: number;
  /**
   * How long one stream read (`GetRecords`, `GetShardIterator`) may take before the consumer gives it up (default
   * 30 000 ms; `Infinity`: never). A `GetRecords` given up is counted as an error, logged, and sent again from the
   * same position after `pollIntervalMs` (at least 500 ms); a `GetShardIterator` given up fails the consumer, which releases the lease (the shard is taken
   * again). Without it, a read that never answers (a `streamsClient` passed in without request timeouts, a dead
   * connection) would hold its shard under a renewed lease with nothing said (review s38w). A stop or a lost lease
   * ends a read in flight at once. The `DescribeStream` calls of a running worker (discovery, a consumer checking a
   * refused shard) and its `DescribeTable` and `ListStreams` calls are bounded by it too, but never below 2 s (a bound
   * chosen short for the reads must not give up every listing).
   */
  readTimeoutMs?: number;
  /** Split failing batches to isolate the record that fails (default true). */
  bisectOnError?: boolean;
  /** First retry backoff (default 200 ms, doubling, at most `retryMaxMs` = 5 000 ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called after every batch and every coordination cycle. */
  onProgress?: (stats: WorkerStats) => void;
}

/**
 * Options with every default applied.
 *
 * @example
 * ```ts
 * const { batchSize, leaseDurationMs } = resolveWorkerOptions(options);
 * ```
 */
export interface ResolvedWorkerOptions {
  batchSize: number;
  batchWindowMs: number;
  pollIntervalMs: number;
  leaseDurationMs: number;
  heartbeatMs: number;
  discoveryIntervalMs: number;
  startingPosition: StartingPosition;
  maxRetries: number;
  maxRecordAgeMs: number | undefined;
  pruneAncestorsAfterMs: number;
  streamGoneAfterMs: number;
  applyTimeoutMs: number;
  readTimeoutMs: number;
  bisectOnError: boolean;
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * The longest delay `setTimeout` keeps (a longer one fires at once): the bound of the timeout options, and of the
 * renewal cap during a stop.
 *
 * @example
 * ```ts
 * if (ms <= MAX_TIMER_MS) setTimeout(giveUp, ms);
 * ```
 */
export const MAX_TIMER_MS = 2_147_483_647;

function invalid(message: string, details: Record<string, unknown>): never {
  throw new DynotallyError('CONFIG_INVALID', message, { details });
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(typeof v === 'number' && v >= 0 && !Number.isNaN(v))) {
    invalid(`worker option ${name} must be a number ≥ 0 (milliseconds or a count); got ${String(value)}`, {
      option: name,
      value,
    });
  }
  return v;
}

/**
 * Validates worker options and fills in defaults. Throws `CONFIG_INVALID` with what to change.
 *
 * @example
 * ```ts
 * resolveWorkerOptions({ batchSize: 500 }).heartbeatMs; // 3333
 * ```
 */
export function resolveWorkerOptions(o: Partial<StreamWorkerOptions>): ResolvedWorkerOptions {
  const batchSize = o.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    invalid(
      `batchSize must be an integer from 1 to 1000 (one GetRecords returns at most 1000); got ${batchSize}`,
      {
        option: 'batchSize',
        value: batchSize,
      },
    );
  }
  const leaseDurationMs = nonNegative('leaseDurationMs', o.leaseDurationMs, 10_000);
  const heartbeatMs = nonNegative('heartbeatMs', o.heartbeatMs, Math.floor(leaseDurationMs / 3));
  if (heartbeatMs <= 0 || heartbeatMs * 2 > leaseDurationMs) {
    invalid(
      `heartbeatMs (${heartbeatMs}) must be > 0 and at most half of leaseDurationMs (${leaseDurationMs}) so a live worker renews its leases before they expire: lower heartbeatMs or raise leaseDurationMs`,
      { heartbeatMs, leaseDurationMs },
    );
  }
  if (leaseDurationMs - heartbeatMs < 2 * LEASE_FENCE_MS) {
    invalid(
      `leaseDurationMs (${leaseDurationMs}) must exceed heartbeatMs (${heartbeatMs}) by at least ${2 * LEASE_FENCE_MS} ms: a worker stops using a lease ${LEASE_FENCE_MS} ms before it expires (the clock skew it allows between workers), so a renewed lease must stay clear of that: raise leaseDurationMs`,
      { heartbeatMs, leaseDurationMs },
    );
  }
  const startingPosition = o.startingPosition ?? 'TRIM_HORIZON';
  if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
    invalid(`startingPosition must be 'TRIM_HORIZON' or 'LATEST'; got '${String(startingPosition)}'`, {
      option: 'startingPosition',
      value: startingPosition,
    });
  }
  const maxRetries = nonNegative('maxRetries', o.maxRetries, 3);
  if (maxRetries !== Number.POSITIVE_INFINITY && !Number.isInteger(maxRetries)) {
    invalid(`maxRetries must be a whole number or Infinity; got ${maxRetries}`, {
      option: 'maxRetries',
      value: maxRetries,
    });
  }
  const applyTimeoutMs = timeoutOption(
    'applyTimeoutMs',
    o.applyTimeoutMs,
    300_000,
    "a write side's call as hung",
  );
  const readTimeoutMs = timeoutOption('readTimeoutMs', o.readTimeoutMs, 30_000, 'a stream read as hung');
  return {
    batchSize,
    batchWindowMs: nonNegative('batchWindowMs', o.batchWindowMs, 0),
    pollIntervalMs: nonNegative('pollIntervalMs', o.pollIntervalMs, 250),
    leaseDurationMs,
    heartbeatMs,
    discoveryIntervalMs: nonNegative('discoveryIntervalMs', o.discoveryIntervalMs, 30_000),
    startingPosition,
    maxRetries,
    maxRecordAgeMs:
      o.maxRecordAgeMs === undefined ? undefined : nonNegative('maxRecordAgeMs', o.maxRecordAgeMs, 0),
    pruneAncestorsAfterMs: nonNegative('pruneAncestorsAfterMs', o.pruneAncestorsAfterMs, 900_000),
    streamGoneAfterMs: nonNegative('streamGoneAfterMs', o.streamGoneAfterMs, 300_000),
    applyTimeoutMs,
    readTimeoutMs,
    bisectOnError: o.bisectOnError ?? true,
    retryBaseMs: nonNegative('retryBaseMs', o.retryBaseMs, 200),
    retryMaxMs: nonNegative('retryMaxMs', o.retryMaxMs, 5_000),
  };
}

/** A timeout option: milliseconds > 0 and at most {@link MAX_TIMER_MS}, or `Infinity` to never take `what`. */
function timeoutOption(name: string, value: unknown, fallback: number, what: string): number {
  const ms = value ?? fallback;
  if (typeof ms !== 'number' || !(ms === Number.POSITIVE_INFINITY || (ms > 0 && ms <= MAX_TIMER_MS))) {
    invalid(
      `${name} must be a number of milliseconds > 0 and at most ${MAX_TIMER_MS} (about 24.8 days), or Infinity to never take ${what}; got ${String(ms)}`,
      { option: name, value: ms },
    );
  }
  return ms as number;
}
