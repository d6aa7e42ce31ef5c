import type {
  AttributeValue,
  DeleteItemCommandInput,
  PutItemCommandInput,
  ScanCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { leaseKey, SHARD_END, type ShardLease, type StartingPosition } from './lease.ts';
import {
  heldBy,
  holderId,
  holderInstance,
  type LeaseHolder,
  names,
  ttlSeconds,
} from './lease-expressions.ts';

/**
 * How long after a shard is read to its end its lease stays in the lease table at most: the lease table's time to
 * live (`ttl`, epoch seconds) deletes it then. By then DynamoDB Streams has long stopped listing the shard (a closed
 * shard's records are trimmed 24 hours after they were written), so no discovery creates its lease again; a lease of
 * the current stream is usually deleted sooner by discovery (`deletableLeases`), but a stream the workers have left
 * (read to its end, followed to the table's next one) is discovered by nobody, and its leases would stay for good.
 *
 * @example
 * ```ts
 * FINISHED_LEASE_TTL_MS; // 604800000 (7 days)
 * ```
 */
export const FINISHED_LEASE_TTL_MS = 7 * 24 * 3_600_000;

/** An `UpdateItem` of a shard's lease, on condition that `holder` holds it. */
function heldUpdate(
  table: string,
  streamArn: string,
  shardId: string,
  holder: LeaseHolder,
  update: {
    expression: string;
    names: Record<string, string>;
    values: Record<string, AttributeValue>;
    /** A condition besides holding the lease (its names in `names`). */
    also?: string;
  },
): UpdateItemCommandInput {
  const held = heldBy(holder);
  return {
    TableName: table,
    Key: { pk: { S: leaseKey(streamArn, shardId) } },
    UpdateExpression: update.expression,
    ConditionExpression: update.also === undefined ? held.condition : `${held.condition} AND ${update.also}`,
    ExpressionAttributeNames: { ...update.names, ...held.names },
    ExpressionAttributeValues: { ...held.values, ...update.values },
  };
}

/**
 * What a new shard lease starts with.
 *
 * @example
 * ```ts
 * const lease: NewLease = { streamArn, shardId: 'shardId-2', parentShardId: 'shardId-1', startAt: 'TRIM_HORIZON' };
 * ```
 */
export interface NewLease {
  streamArn: string;
  shardId: string;
  parentShardId?: string | undefined;
  startAt: StartingPosition;
  /** Set to {@link SHARD_END} for a closed shard a `LATEST` worker skips. */
  checkpoint?: string | undefined;
}

/**
 * `PutItem` creating a shard lease with no owner, unless one exists already.
 *
 * @example
 * ```ts
 * await client.send(new PutItemCommand(createLeaseParams('leases', { streamArn, shardId, startAt: 'TRIM_HORIZON' }, Date.now())));
 * ```
 */
export function createLeaseParams(table: string, lease: NewLease, now: number): PutItemCommandInput {
  return {
    TableName: table,
    Item: {
      pk: { S: leaseKey(lease.streamArn, lease.shardId) },
      kind: { S: 'shard' },
      stream: { S: lease.streamArn },
      shardId: { S: lease.shardId },
      ...(lease.parentShardId === undefined ? {} : { parent: { S: lease.parentShardId } }),
      owner: { NULL: true },
      expiresAt: { N: '0' },
      leaseCounter: { N: '0' },
      startAt: { S: lease.startAt },
      ...(lease.checkpoint === undefined ? {} : { checkpoint: { S: lease.checkpoint } }),
      ...(lease.checkpoint === SHARD_END ? { ttl: { N: ttlSeconds(now + FINISHED_LEASE_TTL_MS) } } : {}),
      freeSince: { N: String(now) },
      updatedAt: { N: String(now) },
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * `UpdateItem` taking a free lease (never taken, released, or expired) for `workerId`. The condition on the
 * heartbeat counter seen in the scan makes it fail when the holder renewed, released or someone else took it
 * in between, so two workers never both win. Whether the lease is expired is the taker's judgement, made before on its
 * own clock (`LeaseSightings`: the counter has not moved for a lease duration), never `expiresAt` against the taker's
 * clock: a clock ahead of the holder's by more than the lease duration would take live leases (review s42w). `expiresAt`
 * is still written, for workers of earlier versions, which judge by it. It removes a `ttl` (a finished lease, which keeps its own, is never
 * taken): one a sweep stamped on the lease of a stream it found gone (`gone-stream-leases.ts`) ends once someone reads
 * the stream again.
 *
 * @example
 * ```ts
 * const out = await client.send(new UpdateItemCommand(takeLeaseParams('leases', seen, 'w2', Date.now(), 10_000)));
 * ```
 */
export function takeLeaseParams(
  table: string,
  seen: ShardLease,
  holder: LeaseHolder,
  now: number,
  durationMs: number,
): UpdateItemCommandInput {
  const instance = holderInstance(holder);
  return {
    TableName: table,
    Key: { pk: { S: leaseKey(seen.streamArn, seen.shardId) } },
    // the instance is recorded with the owner (a holder without one leaves none of an earlier holder's behind)
    UpdateExpression:
      instance === undefined
        ? 'SET #owner = :me, #exp = :exp, #dur = :dur, #upd = :now REMOVE #ttl, #inst ADD #ctr :one'
        : 'SET #owner = :me, #inst = :inst, #exp = :exp, #dur = :dur, #upd = :now REMOVE #ttl ADD #ctr :one',
    ConditionExpression: '#ctr = :seen AND (attribute_not_exists(#cp) OR #cp <> :end)',
    ExpressionAttributeNames: names('#owner', '#exp', '#dur', '#upd', '#ctr', '#cp', '#ttl', '#inst'),
    ExpressionAttributeValues: {
      ':me': { S: holderId(holder) },
      ...(instance === undefined ? {} : { ':inst': { S: instance } }),
      ':exp': { N: String(now + durationMs) },
      // the holder's lease duration: observers wait at least this long before they take the lease as expired
      ':dur': { N: String(durationMs) },
      ':now': { N: String(now) },
      ':one': { N: '1' },
      ':seen': { N: String(seen.counter) },
      ':end': { S: SHARD_END },
    },
    ReturnValues: 'ALL_NEW',
    // a failed condition answers with the lease: a copy of this very take whose answer was lost shows in it
    // (`ownWriteApplied`)
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * `UpdateItem` stamping a lease of a gone stream with a `ttl` {@link FINISHED_LEASE_TTL_MS} on (as a finished lease),
 * only if nobody has moved it since the scan (`leaseCounter`), it is still left alone since before `idleSince` (no
 * write, no holder), and it has no `ttl` yet. A take removes the `ttl` again (`takeLeaseParams`), so a stream taken for gone wrongly loses nothing.
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(expireGoneLeaseParams('leases', lease, Date.now(), Date.now() - GONE_STREAM_IDLE_MS)));
 * ```
 */
export function expireGoneLeaseParams(
  table: string,
  lease: ShardLease,
  now: number,
  idleSince: number,
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: { pk: { S: leaseKey(lease.streamArn, lease.shardId) } },
    UpdateExpression: 'SET #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(#ttl) AND #ctr = :seen AND #exp <= :idle AND #upd <= :idle',
    ExpressionAttributeNames: names('#ttl', '#upd', '#ctr', '#exp'),
    ExpressionAttributeValues: {
      ':ttl': { N: ttlSeconds(now + FINISHED_LEASE_TTL_MS) },
      ':seen': { N: String(lease.counter) },
      ':idle': { N: String(idleSince) },
    },
  };
}

/**
 * `UpdateItem` renewing a lease `workerId` holds (a heartbeat): pushes the expiry out and bumps the counter.
 * Fails when the lease has been taken over.
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(renewLeaseParams('leases', streamArn, shardId, 'w1', Date.now(), 10_000)));
 * ```
 */
export function renewLeaseParams(
  table: string,
  streamArn: string,
  shardId: string,
  holder: LeaseHolder,
  now: number,
  durationMs: number,
): UpdateItemCommandInput {
  return {
    ...heldUpdate(table, streamArn, shardId, holder, {
      expression: 'SET #exp = :exp, #dur = :dur, #upd = :now ADD #ctr :one',
      names: names('#exp', '#dur', '#upd', '#ctr'),
      values: {
        ':exp': { N: String(now + durationMs) },
        ':dur': { N: String(durationMs) },
        ':now': { N: String(now) },
        ':one': { N: '1' },
      },
    }),
    ReturnValues: 'UPDATED_NEW',
  };
}

/**
 * Options of {@link checkpointParams}.
 *
 * @example
 * ```ts
 * const pin: CheckpointOptions = { onlyIfNone: true };
 * ```
 */
export interface CheckpointOptions {
  /**
   * Write only where the lease has no checkpoint yet: the pin of a held `LATEST` lease (the last record before the
   * position its consumer opened; see `findLatestPin`). A checkpoint the consumer's client saw fail on every attempt
   * may still have been applied, and the pin, which lies before it, would move it back.
   */
  readonly onlyIfNone?: boolean | undefined;
}

/**
 * `UpdateItem` recording how far `workerId` has processed a shard. A sequence number never moves backwards
 * because only the holder may write it. {@link SHARD_END} also releases the lease (nothing is left to read). With
 * `onlyIfNone` it fails when the lease has a checkpoint already (the `LATEST` pin; {@link CheckpointOptions}).
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(checkpointParams('leases', streamArn, shardId, 'w1', lastSeq, Date.now())));
 * // the LATEST pin: only where the lease has no checkpoint
 * await client.send(
 *   new UpdateItemCommand(checkpointParams('leases', streamArn, shardId, 'w1', beforeSeq, Date.now(), { onlyIfNone: true })),
 * );
 * ```
 */
export function checkpointParams(
  table: string,
  streamArn: string,
  shardId: string,
  holder: LeaseHolder,
  checkpoint: string,
  now: number,
  options: CheckpointOptions = {},
): UpdateItemCommandInput {
  const end = checkpoint === SHARD_END;
  return {
    ...heldUpdate(table, streamArn, shardId, holder, {
      expression: end
        ? 'SET #cp = :cp, #upd = :now, #owner = :null, #exp = :zero, #free = :now, #ttl = :ttl ADD #ctr :one'
        : 'SET #cp = :cp, #upd = :now',
      names: end ? names('#cp', '#upd', '#owner', '#exp', '#free', '#ttl', '#ctr') : names('#cp', '#upd'),
      values: {
        ':cp': { S: checkpoint },
        ':now': { N: String(now) },
        ...(end
          ? {
              ':null': { NULL: true },
              ':zero': { N: '0' },
              ':one': { N: '1' },
              ':ttl': { N: ttlSeconds(now + FINISHED_LEASE_TTL_MS) },
            }
          : {}),
      },
      ...(options.onlyIfNone === true ? { also: 'attribute_not_exists(#cp)' } : {}),
    }),
    // SHARD_END gives the lease up: a copy of it whose answer was lost shows in the lease a failed condition answers
    // with (`ownWriteApplied`)
    ...(end ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
  };
}

/**
 * `UpdateItem` recording, before the first `GetShardIterator(LATEST)` of a lease without checkpoint, when `workerId`
 * opened it (`latestFrom`, epoch ms), so a later owner knows which records came before. Fails when the lease has been
 * taken over.
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(openLatestParams('leases', streamArn, shardId, 'w1', Date.now())));
 * ```
 */
export function openLatestParams(
  table: string,
  streamArn: string,
  shardId: string,
  holder: LeaseHolder,
  now: number,
): UpdateItemCommandInput {
  return heldUpdate(table, streamArn, shardId, holder, {
    expression: 'SET #latest = :now, #upd = :now',
    names: names('#latest', '#upd'),
    values: { ':now': { N: String(now) } },
  });
}

/**
 * `UpdateItem` pinning a `LATEST` lease whose shard held no record before the position its first consumer opened:
 * every record of the shard is new, so it starts at `TRIM_HORIZON`. `latestFrom` stays: the skim may have stopped at
 * an empty page short of the shard's tip (on AWS one is not always the tip), so the next owner still skips records
 * from well before it. Fails when the lease has been taken over.
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(startAtHorizonParams('leases', streamArn, shardId, 'w1', Date.now())));
 * ```
 */
export function startAtHorizonParams(
  table: string,
  streamArn: string,
  shardId: string,
  holder: LeaseHolder,
  now: number,
): UpdateItemCommandInput {
  return heldUpdate(table, streamArn, shardId, holder, {
    expression: 'SET #start = :th, #upd = :now',
    names: names('#start', '#upd'),
    values: { ':th': { S: 'TRIM_HORIZON' }, ':now': { N: String(now) } },
  });
}

/**
 * `UpdateItem` giving a lease up (owner null, expiry 0) so another worker can take it at once; the
 * checkpoint stays. Fails harmlessly when the lease was already taken over.
 *
 * @example
 * ```ts
 * await client.send(new UpdateItemCommand(releaseLeaseParams('leases', streamArn, shardId, 'w1', Date.now())));
 * ```
 */
export function releaseLeaseParams(
  table: string,
  streamArn: string,
  shardId: string,
  holder: LeaseHolder,
  now: number,
): UpdateItemCommandInput {
  return heldUpdate(table, streamArn, shardId, holder, {
    expression: 'SET #owner = :null, #exp = :zero, #free = :now, #upd = :now ADD #ctr :one',
    names: names('#owner', '#exp', '#free', '#upd', '#ctr'),
    values: { ':null': { NULL: true }, ':zero': { N: '0' }, ':now': { N: String(now) }, ':one': { N: '1' } },
  });
}

/**
 * `DeleteItem` removing the lease of a finished shard that the stream no longer lists (trimmed after 24 h).
 *
 * @example
 * ```ts
 * await client.send(new DeleteItemCommand(deleteFinishedLeaseParams('leases', streamArn, oldShardId)));
 * ```
 */
export function deleteFinishedLeaseParams(
  table: string,
  streamArn: string,
  shardId: string,
): DeleteItemCommandInput {
  return {
    TableName: table,
    Key: { pk: { S: leaseKey(streamArn, shardId) } },
    ConditionExpression: '#cp = :end',
    ExpressionAttributeNames: names('#cp'),
    ExpressionAttributeValues: { ':end': { S: SHARD_END } },
  };
}

/**
 * `Scan` input (one page) for every lease and presence item of a stream, strongly consistent.
 *
 * @example
 * ```ts
 * const page = await client.send(new ScanCommand(scanLeasesParams('leases', streamArn)));
 * ```
 */
export function scanLeasesParams(
  table: string,
  streamArn: string,
  startKey?: ScanCommandInput['ExclusiveStartKey'],
): ScanCommandInput {
  return {
    TableName: table,
    ConsistentRead: true,
    FilterExpression: '#stream = :arn',
    ExpressionAttributeNames: { '#stream': 'stream' },
    ExpressionAttributeValues: { ':arn': { S: streamArn } },
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/**
 * Whether the lease a failed condition answered with (`ALL_OLD`) shows that an earlier copy of this very write was
 * applied: its answer was lost (a dropped connection, or a request given up after the store's `callTimeoutMs` that
 * DynamoDB had applied), and the copy sent again met its own effect. A take (`seenCounter` given): the holder's
 * owner and instance token, the counter one past the one seen, and this write's time; a take without an instance
 * token is never recognised (another process with the same worker id could have made it). A `SHARD_END` checkpoint:
 * the shard's end, given up at this write's time.
 *
 * @example
 * ```ts
 * if (e instanceof ConditionalCheckFailedException && ownWriteApplied(e.Item, { take: seen.counter }, holder, now)) taken = true;
 * ```
 */
export function ownWriteApplied(
  item: Record<string, AttributeValue> | undefined,
  write: { readonly take: number } | 'shard-end',
  holder: LeaseHolder,
  now: number,
): boolean {
  if (item === undefined || item.updatedAt?.N !== String(now)) return false;
  if (write === 'shard-end') return item.checkpoint?.S === SHARD_END && item.freeSince?.N === String(now);
  const instance = holderInstance(holder);
  return (
    instance !== undefined &&
    item.owner?.S === holderId(holder) &&
    item.ownerInstance?.S === instance &&
    item.leaseCounter?.N === String(write.take + 1) &&
    item.checkpoint?.S !== SHARD_END
  );
}
