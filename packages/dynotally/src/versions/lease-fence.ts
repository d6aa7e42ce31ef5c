import type { ApplyInput } from '../apply/applier.ts';
import { DynotallyError } from '../errors/index.ts';

/**
 * How long before its lease's expiry a stream worker stops acting on its lease: the clock skew between workers
 * that the fence tolerates (another worker takes an expired lease by its own clock; EC2 hosts synchronised by
 * the Amazon Time Sync Service differ by far less). The worker requires `leaseDurationMs - heartbeatMs` to be at
 * least twice this, so a renewed lease never sits inside the fence.
 */
export const LEASE_FENCE_MS = 1_000;

/**
 * Refuses a batch whose control items were read too close to (or after) the end of the stream worker's lease on
 * its shard: the worker's live `ApplyInput.leaseHeld()` when it gives one (it follows the renewals made while the
 * batch is in the write side), else `ApplyInput.leaseExpiresAt` (Lambda gives neither and needs none: it invokes a
 * shard's batches one at a time). Called right after the read: a worker that lost its lease during a stall must not write a version
 * it learnt of after the worker that took the shard over had read the control items without it, or the
 * shard would fold the version and then stop folding it.
 *
 * @throws {DynotallyError} `LEASE_LOST` when the lease is no longer held (`leaseHeld()` false), or, without
 *   `leaseHeld`, ends within {@link LEASE_FENCE_MS} of now.
 * @example
 * ```ts
 * const controls = await states.read();
 * fenceLease(input, Date.now()); // throws LEASE_LOST if the lease ran out meanwhile
 * ```
 */
export function fenceLease(input: ApplyInput, now: number): void {
  // the worker's live answer first: the heartbeat renews the lease while the batch is in the write side, so the end
  // known when the batch was handed over (`leaseExpiresAt`) may have moved on since (review s38w)
  if (input.leaseHeld !== undefined) {
    if (input.leaseHeld()) return;
  } else if (input.leaseExpiresAt === undefined || now < input.leaseExpiresAt - LEASE_FENCE_MS) return;
  const until = input.leaseExpiresAt;
  throw new DynotallyError(
    'LEASE_LOST',
    `the shard's lease ran out (or has less than ${LEASE_FENCE_MS} ms left) while this batch read the rollup versions; another worker applies it`,
    { details: { shardId: input.shardId, leaseExpiresAt: until, now } },
  );
}
