import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynotallyError, LiveSource, StreamWorkerOptions } from 'dynotally';
import type { RepeatedLines } from './repeated-lines.ts';

/**
 * What the dev stack tells an {@link S4Wiring} when it starts it.
 *
 * @example
 * ```ts
 * const wiring: S4Wiring = { describe: 'S4 buffered', start: async ({ client, tables, log }) => log(`using ${tables.aggregate}`) };
 * ```
 */
export interface S4WiringContext {
  client: DynamoDBClient;
  endpoint: string;
  tables: { source: string; aggregate: string; deadLetter: string; leases: string };
  log: (line: string) => void;
  /**
   * The dev stack's failure lines: with them a wiring's repeated warnings are said once, then at most once a minute
   * with a count, and once when it works again (`quietLogger(log, lines, 'S4 buffer')`).
   */
  lines?: RepeatedLines;
  /** True when the DynamoDB was given (`--endpoint`) and keeps its data after the stack stops. */
  dynamoDbOutlivesStack?: boolean;
}

/**
 * How the dev stack wires S4 (store metrics): {@link directS4} or the Redis-buffered `bufferedS4`.
 *
 * Direct mode ({@link directS4}): S4's rollup runs in the shared worker and writes straight to DynamoDB. A
 * wiring with `workerOptions` runs S4 in its own worker (own lease table `<leases>-s4`, same stream) whose
 * options it rewrites — `bufferedS4` gives it a Redis buffered applier as `applier`, with a flusher moving
 * closed buckets to DynamoDB — and its `liveSource` (the unflushed buckets) is merged into every read of the
 * dashboard's query client.
 *
 * @example
 * ```ts
 * const buffered: S4Wiring = {
 *   describe: 'buffered in Redis at redis://127.0.0.1:6390 (15-minute buckets, flushed every 60 s)',
 *   mode: 'buffered',
 *   start: async ({ client, tables }) => { flusher.start(60_000); },
 *   workerOptions: ({ mode, strategy, concurrency, retry, ...base }) => ({ ...base, applier: bufferedApplier }),
 *   liveSource: createRedisLiveSource({ redis, rollups: referenceRollups }),
 *   stop: async () => { await flusher.stop(); redis.disconnect(); },
 * };
 * await startDevStack({ s4: buffered }); // or simply startDevStack({ s4: 'buffered' })
 * ```
 */
export interface S4Wiring {
  /** One line for the dev stack's first screen. */
  readonly describe: string;
  /** `buffered`: S4 counts in Redis first; `direct` (or absent): straight into DynamoDB. */
  readonly mode?: 'direct' | 'buffered';
  /** Starts what the mode needs (redis-server, a flusher) before the workers start. */
  start?(ctx: S4WiringContext): Promise<void>;
  /** Rewrites the options of S4's own worker; without it S4 runs in the shared worker (direct mode). */
  workerOptions?(base: StreamWorkerOptions): StreamWorkerOptions;
  /** Deltas not yet in DynamoDB, merged into the dashboard's reads. */
  readonly liveSource?: LiveSource;
  /**
   * Once started, a process the wiring started for itself (the buffered mode's `redis-server`): settles with the
   * error the dev stack stops on when that process exits (a crash, a `kill`; its own stop too, which the stack tells
   * apart). Absent when the wiring started none, or uses a Redis it was given: that one's outage is waited out.
   */
  readonly lost?: Promise<DynotallyError>;
  /** Stops what `start` started; called after the workers have stopped. */
  stop?(): Promise<void>;
}

/**
 * S4 in direct mode: folded straight into DynamoDB by the shared worker, like S0–S3.
 *
 * @example
 * ```ts
 * await startDevStack({ s4: directS4 });
 * ```
 */
export const directS4: S4Wiring = {
  describe:
    'direct: folded straight into DynamoDB by the shared worker (--s4 buffered counts in Redis first)',
  mode: 'direct',
};
