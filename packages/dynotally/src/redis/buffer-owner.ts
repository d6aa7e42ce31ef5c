import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { type RetryOptions, withRetry } from '../apply/index.ts';
import { type DynotallyError, isDynotallyError } from '../errors/index.ts';
import { ensureBufferId, readBufferId } from './buffer-id.ts';
import { checkEvictionPolicy } from './eviction-policy.ts';
import { otherPrefix, otherServer, unsettled } from './owner-refusals.ts';
import { confirmReplicas, type WaitReplicasOptions, waitReplicasOptions } from './wait-replicas.ts';

// An aggregate table takes exactly one Redis buffer. Rows carry one flush marker (`_fb`) and a flush bucket is named
// by the instant it closes only, so a second buffer (another key prefix, or the same prefix on another Redis server)
// flushing into the same rows would find its buckets' markers already set by the first and drop its cells as
// "already applied", silently (test/review/s25d-two-buffers-one-table.int.test.ts). The table therefore names its
// buffer in one item — its key prefix and its id, the random id the buffer keeps in Redis (buffer-id.ts) — written
// once, conditionally, by the first applier or flusher that runs; every other one checks it before it writes
// anything and refuses another prefix or another id.
//
// A Redis that lost its data (a restart without persistence) lost its id with it, and cannot be told from a second
// server using the same prefix, which starts empty too: both are refused, loudly. Taking the table's id over would
// be exactly the silent loss above; the counts such a Redis held are gone already, and the refusal says so. An
// operator who knows no other server serves the prefix hands the table over (`releaseTableBuffer`, or removing the
// item's `id` by hand): the next claim records the Redis' new id, as for a table claimed by a release before ids.

/**
 * The key of the item naming the aggregate table's one Redis buffer (its `prefix` attribute: the buffer's key
 * prefix; `id`: the buffer's id in Redis, absent on tables claimed by a release before ids). A partition of its own, apart from the fences (`~rb`), so fence listings never see it.
 *
 * @example
 * ```ts
 * await client.send(new GetItemCommand({ TableName: table, Key: BUFFER_OWNER_KEY, ConsistentRead: true }));
 * ```
 */
export const BUFFER_OWNER_KEY: Readonly<Record<'pk' | 'sk', AttributeValue>> = {
  pk: { S: '~rbo' },
  sk: { S: 'owner' },
};

/**
 * What {@link claimTableBuffer} needs: the table, and the buffer (its Redis and key prefix).
 *
 * @example
 * ```ts
 * const options: TableBufferOptions = { client, table: 'aggregates', redis, prefix: 'dynotally:{buffer}:' };
 * ```
 */
export interface TableBufferOptions {
  client: DynamoDBClient;
  table: string;
  /** The buffer's Redis (the primary: a first claim writes the buffer's id into it). */
  redis: Redis;
  prefix: string;
  retry?: RetryOptions | undefined;
  /** How long a Redis command may take (default 2 s). */
  redisTimeoutMs?: number | undefined;
  /**
   * For a Redis whose replicas may be promoted: a first claim waits until `min` replicas hold the buffer's id
   * before it records the id in the table, so a failover right after the claim cannot leave the table naming an id
   * the promoted Redis never received (which would refuse every part until the table is handed over). As the
   * applier's and flusher's `waitReplicas`; fewer replicas fail the claim with `REDIS_NOT_REPLICATED`, the table
   * unclaimed.
   */
  waitReplicas?: WaitReplicasOptions | undefined;
  /**
   * Runs once the table's check passed and before a first claim writes anything (the buffer's id in Redis, the
   * table's owner item); a throw leaves the table unclaimed. The applier's eviction-policy check goes here, so a
   * refused evicting Redis never becomes the table's buffer (review s41r).
   */
  beforeClaim?: (() => Promise<void>) | undefined;
}

/** How long the small write before the claim's `WAIT` (`<prefix>rw`) is kept: it only has to precede the `WAIT`. */
const CLAIM_WAIT_KEY_TTL_MS = 60_000;

/**
 * The aggregate table's buffer as its owner item names it: the key `prefix`, the buffer's `id` in Redis, and when it
 * was claimed (`claimedAt`, epoch ms). Each is absent on a table that names no buffer (yet); `id` and `claimedAt` on
 * one claimed by a release before ids, or handed over by {@link releaseTableBuffer}.
 *
 * @example
 * ```ts
 * const owner: TableBufferOwner = await describeTableBuffer({ client, table: 'aggregates' });
 * owner.prefix; // 'dynotally:{buffer}:'
 * ```
 */
export interface TableBufferOwner {
  prefix?: string;
  id?: string;
  claimedAt?: number;
}

/**
 * Reads the owner item of the aggregate table (one strongly consistent `GetItem`): which buffer the table belongs
 * to, for an operator (`dynotally buffer show`) and for {@link claimTableBuffer}'s check.
 *
 * @example
 * ```ts
 * const { prefix, id } = await describeTableBuffer({ client, table: 'aggregates' });
 * if (prefix === undefined) console.log('no Redis buffer has written this table');
 * ```
 */
export async function describeTableBuffer(
  options: Pick<TableBufferOptions, 'client' | 'table' | 'retry'>,
): Promise<TableBufferOwner> {
  const { client, table } = options;
  const out = await withRetry(
    () => client.send(new GetItemCommand({ TableName: table, Key: BUFFER_OWNER_KEY, ConsistentRead: true })),
    options.retry,
  );
  const prefix = out.Item?.prefix?.S;
  const id = out.Item?.id?.S;
  const claimedAt = out.Item?.claimedAt?.N;
  return {
    ...(prefix === undefined ? {} : { prefix }),
    ...(id === undefined ? {} : { id }),
    ...(claimedAt === undefined ? {} : { claimedAt: Number(claimedAt) }),
  };
}

/**
 * Checks that the aggregate table belongs to the Redis buffer with key prefix `prefix` on `redis` (its key prefix
 * and its id, `<prefix>id` in Redis), naming it the table's buffer when the table names none yet (a fresh table,
 * one written by a release before the check, or one handed over by {@link releaseTableBuffer}): the buffer's id is
 * created in Redis then if it has none. One strongly consistent read and one Redis `GET`, plus one conditional
 * write (`UpdateItem`) the first time; concurrent first claims settle on one buffer. Returns the buffer's id.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when the table belongs to a buffer with another key prefix, or with this
 * prefix on another Redis server (another id; or none: a Redis that lost its data cannot be told from a second
 * server), both named: its flushes and this buffer's would drop each other's counts. `REDIS_UNAVAILABLE` when Redis
 * does not answer (the table is checked first: another prefix is refused without Redis).
 *
 * @example
 * ```ts
 * const id = await claimTableBuffer({ client, table: 'aggregates', redis, prefix: 'dynotally:{buffer}:' });
 * ```
 */
export async function claimTableBuffer(options: TableBufferOptions): Promise<string> {
  const { client, table, redis, prefix } = options;
  const timeoutMs = options.redisTimeoutMs ?? REDIS_TIMEOUT_MS;
  const wait = waitReplicasOptions(options.waitReplicas);
  for (let attempt = 0; attempt < 3; attempt++) {
    const owner = await describeTableBuffer(options);
    // nothing is written to a Redis that is not the table's buffer
    const known = await checkOwner(owner, options);
    if (known !== undefined) return known;
    // a Redis the part refuses (an evicting policy) must not become the table's buffer on the way
    await options.beforeClaim?.();
    const id = await ensureBufferId(redis, prefix, timeoutMs);
    // the table is about to name this id: a promoted replica must hold it too
    if (wait !== undefined)
      await confirmReplicas(redis, prefix, CLAIM_WAIT_KEY_TTL_MS, wait, timeoutMs, "record the buffer's id");
    try {
      await withRetry(
        () =>
          client.send(
            // an UpdateItem rather than a PutItem: the actions a stream handler is granted on the aggregate table
            // (`DYNOTALLY_ACTIONS.apply`) hold it. A table that names this prefix without an id (claimed by a
            // release before ids, or handed over) takes this Redis' id, the prefix kept, with no migration.
            new UpdateItemCommand({
              TableName: table,
              Key: BUFFER_OWNER_KEY,
              UpdateExpression: 'SET #p = :p, #i = :i, claimedAt = :t',
              ConditionExpression:
                owner.prefix === undefined
                  ? 'attribute_not_exists(pk)'
                  : '#p = :p AND attribute_not_exists(#i)',
              ExpressionAttributeNames: { '#p': 'prefix', '#i': 'id' },
              ExpressionAttributeValues: {
                ':p': { S: prefix },
                ':i': { S: id },
                ':t': { N: String(Date.now()) },
              },
            }),
          ),
        options.retry,
      );
      return id;
    } catch (e) {
      // another part claimed it first (a retried write of our own included): read again, and refuse another buffer
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
  // claimed and gone again (deleted by hand in between), over and over: stop rather than loop
  throw unsettled(table, prefix);
}

/**
 * {@link claimTableBuffer} for a reader (`dynotally query --redis`): refuses a Redis that is not the table's buffer
 * (another key prefix, another id, or no id), whose live buckets would be counted into the table's rows wrongly;
 * claims nothing and writes nothing (a table that names no buffer passes).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` as {@link claimTableBuffer}; `REDIS_UNAVAILABLE` when Redis does not answer.
 *
 * @example
 * ```ts
 * await verifyTableBuffer({ client, table: 'aggregates', redis, prefix: 'dynotally:{buffer}:' });
 * ```
 */
export async function verifyTableBuffer(options: TableBufferOptions): Promise<void> {
  await checkOwner(await describeTableBuffer(options), options);
}

/** How long a Redis command of the check may take unless `redisTimeoutMs` says. */
const REDIS_TIMEOUT_MS = 2_000;

/**
 * Refuses a buffer the owner item does not name (another prefix; this prefix on a Redis holding another id or none);
 * returns the buffer's id when the item names one and this Redis holds it, undefined when the item names no id.
 */
async function checkOwner(owner: TableBufferOwner, options: TableBufferOptions): Promise<string | undefined> {
  const { table, prefix } = options;
  if (owner.prefix !== undefined && owner.prefix !== prefix) throw otherPrefix(table, owner.prefix, prefix);
  if (owner.id === undefined) return undefined;
  const id = await readBufferId(options.redis, prefix, options.redisTimeoutMs ?? REDIS_TIMEOUT_MS);
  if (id !== owner.id) throw otherServer(table, prefix, owner.id, id);
  return id;
}

/**
 * Hands the aggregate table over to whichever Redis next claims it with key prefix `prefix`: removes the id from
 * the owner item if it names `prefix` (nothing otherwise). For a buffer whose Redis lost its data, once no other
 * Redis serves the prefix for the table (a second server would be taken for the buffer, as before ids); the dev
 * stack does it for the redis-server it starts. Returns whether an id was removed.
 *
 * @example
 * ```ts
 * await releaseTableBuffer({ client, table: 'aggregates', prefix: 'dynotally:{buffer}:' });
 * await claimTableBuffer({ client, table: 'aggregates', redis, prefix: 'dynotally:{buffer}:' }); // records the new id
 * ```
 */
export async function releaseTableBuffer(
  options: Pick<TableBufferOptions, 'client' | 'table' | 'prefix' | 'retry'>,
): Promise<boolean> {
  return ownerWrite(options, () =>
    options.client.send(
      new UpdateItemCommand({
        TableName: options.table,
        Key: BUFFER_OWNER_KEY,
        UpdateExpression: 'REMOVE #i',
        ConditionExpression: '#p = :p AND attribute_exists(#i)',
        ExpressionAttributeNames: { '#p': 'prefix', '#i': 'id' },
        ExpressionAttributeValues: { ':p': { S: options.prefix } },
      }),
    ),
  );
}

/**
 * Unbinds the aggregate table from its buffer for good — to move it to another key prefix or another Redis: deletes
 * the owner item if it names `prefix` (nothing otherwise, so a mistyped prefix cannot unbind another buffer). The
 * next applier or flusher, of any prefix, then claims the table. Stop the old buffer's appliers, flush it
 * (`runFlushOnce({ all: true })`, which waits for a running flusher's lock) and stop its flushers first: a batch
 * buffered after the flush would stay in the old Redis, and a part of the old buffer still running would claim the
 * table back, or two buffers would write it (docs/redis-buffer.md, "Moving a table to a new buffer"). Returns whether
 * the item was deleted.
 *
 * @example
 * ```ts
 * await forgetTableBuffer({ client, table: 'aggregates', prefix: 'dynotally:{buffer}:' });
 * // the new buffer's first applier or flusher claims the table with its own prefix and id
 * ```
 */
export async function forgetTableBuffer(
  options: Pick<TableBufferOptions, 'client' | 'table' | 'prefix' | 'retry'>,
): Promise<boolean> {
  return ownerWrite(options, () =>
    options.client.send(
      new DeleteItemCommand({
        TableName: options.table,
        Key: BUFFER_OWNER_KEY,
        ConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'prefix' },
        ExpressionAttributeValues: { ':p': { S: options.prefix } },
      }),
    ),
  );
}

/** A hand-over's conditional write: true when it was made, false when the owner item did not match. */
async function ownerWrite(
  options: Pick<TableBufferOptions, 'retry'>,
  send: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await withRetry(send, options.retry);
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * How old a reading of the eviction policy may get before the next batch or flush reads it again: a restart from a
 * `redis.conf`, a failover to a replica configured otherwise or a parameter group changed brings another policy
 * under a running applier, whose claim is checked only once (review s40y).
 */
export const EVICTION_RECHECK_MS = 60_000;

/**
 * {@link claimTableBuffer} once per applier or flusher, then {@link checkEvictionPolicy} (a Redis with a `maxmemory`
 * and a policy other than `noeviction` is refused with `CONFIG_INVALID`, or reported to `evicting`): the first call
 * checks (and claims), later calls reuse a success; a failure (a refusal, or DynamoDB or Redis out of reach) is
 * checked again on the next call. The policy is read again by the first call once its last reading is
 * {@link EVICTION_RECHECK_MS} old on `now` (one `INFO memory` a minute; the claim is not made again).
 *
 * @example
 * ```ts
 * const owner = new TableBufferCheck({ client, table, redis, prefix });
 * await owner.ensure(); // before the first write
 * ```
 */
export class TableBufferCheck {
  private claimed: Promise<string> | undefined;
  private policy: Promise<void> | undefined;
  private policyAt = 0;
  /** The evicting policy was reported (to `evicting`) and has not been seen fixed since: not said again. */
  private reported = false;

  /**
   * @param evicting What an evicting Redis gets: `'refuse'` (the applier: `CONFIG_INVALID`, nothing buffered), or a
   * function called with the refusal instead (the flusher, which only moves counts out of Redis and frees memory:
   * refusing it would strand what is buffered behind the configuration change); called once until a reading finds
   * the policy fixed.
   * @param now The clock the readings are timed by (the applier's or flusher's `now`).
   */
  constructor(
    private readonly options: TableBufferOptions,
    private readonly evicting: 'refuse' | ((refusal: DynotallyError) => void) = 'refuse',
    private readonly now: () => number = Date.now,
  ) {}

  ensure(): Promise<string> {
    if (this.claimed === undefined) {
      // the policy is read before a first claim writes anything: claimed first, a refused evicting Redis became the
      // table's buffer, and the right Redis was then refused as another server (review s41r)
      this.claimed = claimTableBuffer({ ...this.options, beforeClaim: () => this.ensurePolicy() }).catch(
        (e: unknown) => {
          this.claimed = undefined;
          throw e;
        },
      );
    }
    // then a Redis that may evict the buffer's keys, which loses counts silently: refused before anything is
    // buffered (after the table's check, so another key prefix is refused also while Redis is out of reach; before
    // a first claim too, `beforeClaim` above; read again once EVICTION_RECHECK_MS passed)
    return this.claimed.then(async (id) => {
      await this.ensurePolicy();
      return id;
    });
  }

  private ensurePolicy(): Promise<void> {
    const now = this.now();
    if (this.policy === undefined || Math.abs(now - this.policyAt) >= EVICTION_RECHECK_MS) {
      this.policyAt = now;
      this.policy = this.readPolicy().catch((e: unknown) => {
        this.policy = undefined;
        throw e;
      });
    }
    return this.policy;
  }

  private async readPolicy(): Promise<void> {
    try {
      await checkEvictionPolicy(this.options.redis, this.options.redisTimeoutMs ?? REDIS_TIMEOUT_MS);
      this.reported = false;
    } catch (e) {
      if (this.evicting === 'refuse' || !isDynotallyError(e, 'CONFIG_INVALID')) throw e;
      if (!this.reported) this.evicting(e);
      this.reported = true;
    }
  }
}
