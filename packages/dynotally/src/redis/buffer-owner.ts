import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type RetryOptions, withRetry } from '../apply/index.ts';
import { DynotallyError } from '../errors/index.ts';

// An aggregate table takes exactly one Redis buffer. Rows carry one flush marker (`_fb`) and a flush bucket is named
// by the instant it closes only, so a second buffer (another key prefix, on the same Redis or another) flushing into
// the same rows would find its buckets' markers already set by the first and drop its cells as "already applied",
// silently (test/review/s25d-two-buffers-one-table.int.test.ts). The table therefore names its buffer in one item,
// written once, conditionally, by the first applier or flusher that runs; every other one checks it before it
// writes anything and refuses another key prefix.

/**
 * The key of the item naming the aggregate table's one Redis buffer (its `prefix` attribute: the buffer's key
 * prefix). A partition of its own, apart from the fences (`~rb`), so fence listings never see it.
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
 * Checks that the aggregate table belongs to the Redis buffer with key prefix `prefix`, naming it the table's
 * buffer when the table names none yet (a fresh table, or one written by a release before the check). One strongly
 * consistent read, plus one conditional write (`UpdateItem`) the first time; concurrent first claims settle on one
 * prefix.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when the table belongs to a buffer with another key prefix (both named):
 * its flushes and this buffer's would drop each other's counts.
 *
 * @example
 * ```ts
 * await claimTableBuffer({ client, table: 'aggregates', prefix: 'dynotally:{buffer}:' });
 * ```
 */
export async function claimTableBuffer(options: {
  client: DynamoDBClient;
  table: string;
  prefix: string;
  retry?: RetryOptions | undefined;
}): Promise<void> {
  const { client, table, prefix } = options;
  for (let attempt = 0; ; attempt++) {
    const out = await withRetry(
      () =>
        client.send(new GetItemCommand({ TableName: table, Key: BUFFER_OWNER_KEY, ConsistentRead: true })),
      options.retry,
    );
    const owner = out.Item?.prefix?.S;
    if (owner === prefix) return;
    if (owner !== undefined) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `the aggregate table '${table}' is written by the Redis buffer with key prefix '${owner}', and this part uses key prefix '${prefix}': an aggregate table takes one buffer (rows carry one flush marker), so the two would drop each other's flushes. Use keyPrefix '${owner}' (--key-prefix) if this is the same buffer, or give this buffer its own table. To move the table to a new prefix, flush the old buffer (dynotally flush --all --key-prefix '${owner}'), stop its parts, then delete the item pk = '~rbo', sk = 'owner'`,
        { details: { table, tableBuffer: owner, keyPrefix: prefix } },
      );
    }
    if (attempt > 0) {
      // claimed by a concurrent first claim and gone again (deleted by hand in between): stop rather than loop
      throw new DynotallyError(
        'CONFIG_INVALID',
        `the aggregate table '${table}' could not record its Redis buffer (key prefix '${prefix}'): its owner item changed twice`,
        { details: { table, keyPrefix: prefix } },
      );
    }
    try {
      await withRetry(
        () =>
          client.send(
            // an UpdateItem rather than a PutItem: the actions a stream handler is granted on the aggregate table
            // (`DYNOTALLY_ACTIONS.apply`) hold it
            new UpdateItemCommand({
              TableName: table,
              Key: BUFFER_OWNER_KEY,
              UpdateExpression: 'SET #p = :p, claimedAt = :t',
              ConditionExpression: 'attribute_not_exists(pk)',
              ExpressionAttributeNames: { '#p': 'prefix' },
              ExpressionAttributeValues: { ':p': { S: prefix }, ':t': { N: String(Date.now()) } },
            }),
          ),
        options.retry,
      );
      return;
    } catch (e) {
      // another part claimed it first: read again, and refuse it if it is another buffer
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
}

/**
 * {@link claimTableBuffer} once per applier or flusher: the first call checks (and claims), later calls reuse a
 * success; a failure (a refusal, or DynamoDB out of reach) is checked again on the next call.
 *
 * @example
 * ```ts
 * const owner = new TableBufferCheck({ client, table, prefix });
 * await owner.ensure(); // before the first write
 * ```
 */
export class TableBufferCheck {
  private checked: Promise<void> | undefined;

  constructor(private readonly options: Parameters<typeof claimTableBuffer>[0]) {}

  ensure(): Promise<void> {
    if (this.checked === undefined) {
      this.checked = claimTableBuffer(this.options).catch((e: unknown) => {
        this.checked = undefined;
        throw e;
      });
    }
    return this.checked;
  }
}
