import type { StartingPosition } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';
import { newMeeting, type StreamMeeting } from './stream-meeting.ts';

/**
 * The stream's meeting, for a worker about to create leases: the one recorded, else (when its scan found no lease,
 * `first`) the one it records now with its own starting position and the shards it lists, or the one another worker
 * recorded first. `undefined` for a lease table from before meeting items (leases, no meeting): see `meetingStart`.
 *
 * @example
 * ```ts
 * const meeting = await meetStream(store, shards.map((s) => s.ShardId!), leases.length === 0, 'LATEST');
 * ```
 */
export async function meetStream(
  store: LeaseStore,
  shardIds: readonly string[],
  first: boolean,
  startingPosition: StartingPosition,
): Promise<StreamMeeting | undefined> {
  const met = await store.readMeeting();
  if (met !== undefined || !first) return met;
  const mine = newMeeting(startingPosition, shardIds, Date.now());
  if (await store.createMeeting(mine)) return mine;
  return store.readMeeting();
}
