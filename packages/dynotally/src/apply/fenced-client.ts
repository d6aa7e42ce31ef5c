import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';

/**
 * When a batch's requests must have been sent by ({@link fencedClient}): `by` in epoch ms on the applier's clock
 * `now` (see `sendDeadline`).
 *
 * @example
 * ```ts
 * const deadline: SendDeadline = { by: sendDeadline(records, lateAfter)!, now: Date.now };
 * ```
 */
export interface SendDeadline {
  readonly by: number;
  readonly now: () => number;
}

/**
 * A client for one batch that refuses to send anything once the worker no longer holds the shard's lease (lost,
 * or too close to its end: `held()` says so): a batch still running when the lease went (a stall, throttled
 * renewals) stops between its requests instead of writing on while the next owner reads the shard, and, once the
 * shard's children drop its exactly-once states from the rows, counting it again. A request already sent is what
 * the worker's `pruneAncestorsAfterMs` wait covers.
 *
 * With `deadline` it also refuses every request from `deadline.by` on (`RECORD_TOO_OLD`), so none of the batch's
 * writes goes out after its records' states, or the take-back markers of the records it settles, may have been
 * pruned (see `SEND_AFTER_LATE_SECONDS`, `SETTLE_AFTER_LATE_SECONDS`).
 *
 * @throws {DynotallyError} `LEASE_LOST` from `send` once `held()` is false; `RECORD_TOO_OLD` past the deadline.
 * @example
 * ```ts
 * const client = fencedClient(ddb, () => consumer.holdsLease(), 'shardId-1');
 * await client.send(new UpdateItemCommand(input)); // LEASE_LOST once the lease is gone
 * ```
 */
export function fencedClient(
  client: DynamoDBClient,
  held: (() => boolean) | undefined,
  shardId: string | undefined,
  deadline?: SendDeadline,
): DynamoDBClient {
  const late = (by: number) =>
    new DynotallyError(
      'RECORD_TOO_OLD',
      `a request of this batch was not sent by ${new Date(by).toISOString()}, the last moment a write of its oldest record may go out before another shard's write can prune that record's exactly-once state: the batch fails, and its redelivery sends the records, late by then, to the dead letters`,
      { details: { shardId, sendBy: by } },
    );
  const send = (...args: Parameters<DynamoDBClient['send']>) => {
    if (held !== undefined && !held())
      throw new DynotallyError(
        'LEASE_LOST',
        `the worker no longer holds the lease of shard '${shardId ?? '?'}': the rest of this batch is left to the worker that takes the shard over`,
        { details: { shardId } },
      );
    if (deadline !== undefined && deadline.now() >= deadline.by) throw late(deadline.by);
    return Reflect.apply(client.send, client, args) as ReturnType<DynamoDBClient['send']>;
  };
  return new Proxy(client, {
    get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)),
  });
}
