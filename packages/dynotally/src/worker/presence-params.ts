import type { DeleteItemCommandInput, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { type WorkerPresence, workerKey } from './lease.ts';
import { holderId, holderInstance, type LeaseHolder, ttlSeconds } from './lease-expressions.ts';

/**
 * How long after a worker's presence expires the lease table's time to live deletes it: a crashed worker's presence
 * on the current stream goes sooner (the others delete it after an hour, `stalePresences`); this bounds those on a
 * stream nobody reads any more.
 *
 * @example
 * ```ts
 * PRESENCE_TTL_AFTER_MS; // 86400000 (1 day)
 * ```
 */
export const PRESENCE_TTL_AFTER_MS = 24 * 3_600_000;

/**
 * `PutItem` announcing (or refreshing) a worker's presence until `now + durationMs`.
 *
 * @example
 * ```ts
 * await client.send(new PutItemCommand(presenceParams('leases', streamArn, 'w1', Date.now(), 10_000)));
 * ```
 */
export function presenceParams(
  table: string,
  streamArn: string,
  holder: LeaseHolder,
  now: number,
  durationMs: number,
): PutItemCommandInput {
  const workerId = holderId(holder);
  const instance = holderInstance(holder);
  return {
    TableName: table,
    Item: {
      pk: { S: workerKey(streamArn, workerId) },
      kind: { S: 'worker' },
      stream: { S: streamArn },
      workerId: { S: workerId },
      // which process wrote it: another one with the same workerId is told by it (`WorkerPresence.instance`)
      ...(instance === undefined ? {} : { instance: { S: instance } }),
      expiresAt: { N: String(now + durationMs) },
      updatedAt: { N: String(now) },
      ttl: { N: ttlSeconds(now + durationMs + PRESENCE_TTL_AFTER_MS) },
    },
  };
}

/**
 * `DeleteItem` removing a worker's presence (on a clean stop). Given a holder with an instance, only a presence that
 * instance wrote (or one without an instance): the stop of a second process with the same `workerId` leaves the
 * presence of the one still running.
 *
 * @example
 * ```ts
 * await client.send(new DeleteItemCommand(removePresenceParams('leases', streamArn, 'w1')));
 * ```
 */
export function removePresenceParams(
  table: string,
  streamArn: string,
  holder: LeaseHolder,
): DeleteItemCommandInput {
  const key = { TableName: table, Key: { pk: { S: workerKey(streamArn, holderId(holder)) } } };
  const instance = holderInstance(holder);
  return instance === undefined
    ? key
    : {
        ...key,
        ConditionExpression: 'attribute_not_exists(#inst) OR #inst = :inst',
        ExpressionAttributeNames: { '#inst': 'instance' },
        ExpressionAttributeValues: { ':inst': { S: instance } },
      };
}

/**
 * `DeleteItem` removing a crashed worker's presence item, long expired, as a scan saw it: only while its `expiresAt`
 * is still the one seen, so a worker that came back and announced itself meanwhile keeps its presence.
 *
 * @example
 * ```ts
 * await client.send(new DeleteItemCommand(removeStalePresenceParams('leases', presence)));
 * ```
 */
export function removeStalePresenceParams(
  table: string,
  presence: Pick<WorkerPresence, 'streamArn' | 'workerId' | 'expiresAt'>,
): DeleteItemCommandInput {
  return {
    ...removePresenceParams(table, presence.streamArn, presence.workerId),
    ConditionExpression: 'expiresAt = :seen',
    ExpressionAttributeValues: { ':seen': { N: String(presence.expiresAt) } },
  };
}
