import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The checkpoint of a shard that has been read to its end (its children may start). */
export const SHARD_END = 'SHARD_END';

/** Where a shard without a checkpoint starts: its oldest record, or only records written from now on. */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/**
 * One shard's lease and checkpoint, as stored in the lease table (one item per shard).
 *
 * @example
 * ```ts
 * const lease: ShardLease = { streamArn, shardId: 'shardId-1', owner: 'w1', expiresAt: Date.now() + 10_000, counter: 7, startAt: 'TRIM_HORIZON', freeSince: 0 };
 * ```
 */
export interface ShardLease {
  readonly streamArn: string;
  readonly shardId: string;
  readonly parentShardId?: string | undefined;
  /** The worker holding the lease; `undefined` when released or never taken. */
  readonly owner?: string | undefined;
  /**
   * The instance token of the process that took it (a stream worker makes one per process), checked with `owner` by
   * every write of the holder: two processes started with one `workerId` never pass each other's conditions.
   */
  readonly ownerInstance?: string | undefined;
  /** Epoch ms after which the lease may be taken over. */
  readonly expiresAt: number;
  /**
   * The holder's lease duration (ms): the longer of `leaseMs`, as its take and renewals write it, and
   * `expiresAt − updatedAt` (both its clock, what a holder of an earlier version tells; a checkpoint since makes it
   * shorter). An observer takes the lease
   * as expired only once its counter has stood still for the longer of this and its own lease duration, so workers
   * configured with different durations (a rolling change of `leaseDurationMs`) never cut each other's leases short.
   */
  readonly durationMs?: number | undefined;
  /** Heartbeat counter: bumped by every take, renewal and release (the optimistic lock of a takeover). */
  readonly counter: number;
  /** Last processed sequence number, or {@link SHARD_END}; `undefined` before the first checkpoint. */
  readonly checkpoint?: string | undefined;
  /** Where to start without a checkpoint. */
  readonly startAt: StartingPosition;
  /**
   * Epoch ms at which the first consumer of a `LATEST` lease opened it (written before its `GetShardIterator`), while
   * the lease has no checkpoint: a later owner reads from `TRIM_HORIZON` and skips the records created before it
   * (see `latest-start.ts`), instead of opening `LATEST` again and missing what came in between.
   */
  readonly latestFrom?: number | undefined;
  /** Epoch ms since which the lease has had no owner (release or creation). */
  readonly freeSince: number;
}

/**
 * A worker's presence in the lease table: alive while `expiresAt` is in the future. Workers count each other
 * through these items to take a fair share of the shards.
 *
 * @example
 * ```ts
 * const presence: WorkerPresence = { streamArn, workerId: 'host-42-ab12', expiresAt: Date.now() + 10_000 };
 * ```
 */
export interface WorkerPresence {
  readonly streamArn: string;
  readonly workerId: string;
  readonly expiresAt: number;
  /** The instance token of the process that wrote it last (two processes with one `workerId` share the item). */
  readonly instance?: string | undefined;
}

/**
 * Partition key of a shard lease: `shard|<stream ARN>|<shard id>` (one lease table can serve many streams).
 *
 * @example
 * ```ts
 * leaseKey(streamArn, 'shardId-00000001-abc'); // 'shard|arn:aws:dynamodb:…/stream/…|shardId-00000001-abc'
 * ```
 */
export function leaseKey(streamArn: string, shardId: string): string {
  return `shard|${streamArn}|${shardId}`;
}

/**
 * Partition key of a worker's presence item: `worker|<stream ARN>|<worker id>`.
 *
 * @example
 * ```ts
 * workerKey(streamArn, 'host-42-ab12');
 * ```
 */
export function workerKey(streamArn: string, workerId: string): string {
  return `worker|${streamArn}|${workerId}`;
}

/**
 * True when the lease may be taken: nobody holds it, or its holder stopped renewing it.
 *
 * @example
 * ```ts
 * if (isFree(lease, Date.now())) await store.take(lease);
 * ```
 */
export function isFree(lease: ShardLease, now: number): boolean {
  return lease.owner === undefined || lease.expiresAt <= now;
}

/**
 * True when the shard has been read to its end.
 *
 * @example
 * ```ts
 * const open = leases.filter((l) => !isFinished(l));
 * ```
 */
export function isFinished(lease: ShardLease): boolean {
  return lease.checkpoint === SHARD_END;
}

const num = (v: AttributeValue | undefined): number => (v?.N === undefined ? 0 : Number(v.N));

/**
 * A held lease's `durationMs`: the longer of its `leaseMs` and `expiresAt − updatedAt` (a holder of an earlier version
 * writes no `leaseMs`, and leaves one a newer holder wrote before it in place), when positive.
 */
function holderDuration(item: Record<string, AttributeValue>): { durationMs?: number } {
  if (item.owner?.S === undefined) return {};
  const duration = Math.max(num(item.leaseMs), num(item.expiresAt) - num(item.updatedAt));
  return duration > 0 ? { durationMs: duration } : {};
}

/**
 * Reads a lease-table item: a shard lease, a worker presence, or `undefined` for anything else.
 *
 * @example
 * ```ts
 * const parsed = (page.Items ?? []).map(parseLeaseItem);
 * ```
 */
export function parseLeaseItem(
  item: Record<string, AttributeValue>,
): { kind: 'shard'; lease: ShardLease } | { kind: 'worker'; presence: WorkerPresence } | undefined {
  const streamArn = item.stream?.S;
  if (streamArn === undefined) return undefined;
  if (item.kind?.S === 'worker' && item.workerId?.S !== undefined) {
    return {
      kind: 'worker',
      presence: {
        streamArn,
        workerId: item.workerId.S,
        expiresAt: num(item.expiresAt),
        ...(item.instance?.S === undefined ? {} : { instance: item.instance.S }),
      },
    };
  }
  if (item.kind?.S !== 'shard' || item.shardId?.S === undefined) return undefined;
  const startAt = item.startAt?.S === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
  return {
    kind: 'shard',
    lease: {
      streamArn,
      shardId: item.shardId.S,
      parentShardId: item.parent?.S,
      owner: item.owner?.S,
      ...(item.ownerInstance?.S === undefined ? {} : { ownerInstance: item.ownerInstance.S }),
      expiresAt: num(item.expiresAt),
      ...holderDuration(item),
      counter: num(item.leaseCounter),
      checkpoint: item.checkpoint?.S,
      startAt,
      ...(item.latestFrom?.N === undefined ? {} : { latestFrom: Number(item.latestFrom.N) }),
      freeSince: num(item.freeSince),
    },
  };
}
