import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';

/**
 * A client for one batch of a stream worker's shard that refuses to send anything once the worker no longer
 * holds the shard's lease (lost, or too close to its end: `held()` says so): a batch still running when the lease
 * went (a stall, throttled renewals) stops between its requests instead of writing on while the next owner reads
 * the shard, and, once the shard's children drop its exactly-once states from the rows, counting it again. A
 * request already sent is what the worker's `pruneAncestorsAfterMs` wait covers.
 *
 * @throws {DynotallyError} `LEASE_LOST` from `send` once `held()` is false.
 * @example
 * ```ts
 * const client = fencedClient(ddb, () => consumer.holdsLease(), 'shardId-1');
 * await client.send(new UpdateItemCommand(input)); // LEASE_LOST once the lease is gone
 * ```
 */
export function fencedClient(
  client: DynamoDBClient,
  held: () => boolean,
  shardId: string | undefined,
): DynamoDBClient {
  const send = (...args: Parameters<DynamoDBClient['send']>) => {
    if (!held())
      throw new DynotallyError(
        'LEASE_LOST',
        `the worker no longer holds the lease of shard '${shardId ?? '?'}': the rest of this batch is left to the worker that takes the shard over`,
        { details: { shardId } },
      );
    return Reflect.apply(client.send, client, args) as ReturnType<DynamoDBClient['send']>;
  };
  return new Proxy(client, {
    get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)),
  });
}
