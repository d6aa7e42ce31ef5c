import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * The partition of the aggregate table that holds every shard's direct-write fence.
 *
 * @example
 * ```ts
 * await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: FENCE_PARTITION } } }));
 * ```
 */
export const FENCE_PARTITION = '~rb';

/**
 * A shard's direct-write fence: while Redis was unreachable (`onRedisDown: 'direct'`), the shard's records
 * from `from` on were written straight to DynamoDB. `to` is the last record meant for DynamoDB, `done` the last
 * one whose direct write completed. The fence is removed when the shard rejoins the buffer.
 *
 * @example
 * ```ts
 * const fence: Fence = { tag: '5d41402abc4b', source, shardId, from: '…0101', to: '…0200', done: '…0200' };
 * ```
 */
export interface Fence {
  readonly tag: string;
  readonly source: string;
  readonly shardId: string;
  readonly from: string;
  readonly to: string;
  readonly done: string;
}

const key = (tag: string) => ({ pk: { S: FENCE_PARTITION }, sk: { S: tag } });

function toFence(item: Record<string, AttributeValue>): Fence {
  return {
    tag: item.sk?.S ?? '',
    source: item.source?.S ?? '',
    shardId: item.shardId?.S ?? '',
    from: item.from?.S ?? '',
    to: item.to?.S ?? '',
    done: item.done?.S ?? '',
  };
}

async function conditional(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * A shard's fence (strongly consistent read), or undefined when the shard writes to Redis.
 *
 * @example
 * ```ts
 * const fence = await readFence(client, 'aggregates', shardTag(streamArn, shardId));
 * ```
 */
export async function readFence(
  client: DynamoDBClient,
  table: string,
  tag: string,
): Promise<Fence | undefined> {
  const out = await client.send(
    new GetItemCommand({ TableName: table, Key: key(tag), ConsistentRead: true }),
  );
  return out.Item === undefined ? undefined : toFence(out.Item);
}

/**
 * Every open fence (strongly consistent), for the flusher's rejoin and the CLI.
 *
 * @example
 * ```ts
 * for (const f of await listFences(client, 'aggregates')) console.log(f.shardId, f.from, f.to);
 * ```
 */
export async function listFences(client: DynamoDBClient, table: string): Promise<Fence[]> {
  const fences: Fence[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: FENCE_PARTITION } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) fences.push(toFence(item));
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return fences;
}

/**
 * Opens a fence (records `from`…`to` go direct; none done yet). False when one is already open.
 *
 * @example
 * ```ts
 * if (!(await openFence(client, table, { tag, source, shardId, from, to, done: '' }))) fence = await readFence(client, table, tag);
 * ```
 */
export function openFence(
  client: DynamoDBClient,
  table: string,
  f: Fence,
  now = Date.now(),
): Promise<boolean> {
  return conditional(() =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...key(f.tag),
          source: { S: f.source },
          shardId: { S: f.shardId },
          from: { S: f.from },
          to: { S: f.to },
          done: { S: f.done },
          updatedAt: { N: String(now) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/**
 * Moves a fence's `to` forward before more records are written direct; false when the fence changed meanwhile.
 *
 * @example
 * ```ts
 * await extendFence(client, table, fence, batchLastSeq);
 * ```
 */
export function extendFence(
  client: DynamoDBClient,
  table: string,
  f: Fence,
  to: string,
  now = Date.now(),
): Promise<boolean> {
  return moveMark(client, table, f, 'to', to, now);
}

/**
 * Records that the direct writes up to `done` completed; false when the fence changed meanwhile.
 *
 * @example
 * ```ts
 * await completeFence(client, table, fence, batchLastSeq);
 * ```
 */
export function completeFence(
  client: DynamoDBClient,
  table: string,
  f: Fence,
  done: string,
  now = Date.now(),
): Promise<boolean> {
  return moveMark(client, table, f, 'done', done, now);
}

/** Sets one of a fence's marks, on condition that the fence is the one read (same `from`, same old mark). */
function moveMark(
  client: DynamoDBClient,
  table: string,
  f: Fence,
  mark: 'to' | 'done',
  value: string,
  now: number,
): Promise<boolean> {
  return conditional(() =>
    client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key(f.tag),
        UpdateExpression: 'SET #m = :m, #u = :u',
        ConditionExpression: '#from = :from AND #m = :old',
        ExpressionAttributeNames: { '#m': mark, '#from': 'from', '#u': 'updatedAt' },
        ExpressionAttributeValues: {
          ':m': { S: value },
          ':from': { S: f.from },
          ':old': { S: f[mark] },
          ':u': { N: String(now) },
        },
      }),
    ),
  );
}

/**
 * Removes a fence after its shard rejoined the buffer, only if it is unchanged and quiescent (`done = to`).
 *
 * @example
 * ```ts
 * const removed = await deleteFence(client, table, fence);
 * ```
 */
export function deleteFence(client: DynamoDBClient, table: string, f: Fence): Promise<boolean> {
  return conditional(() =>
    client.send(
      new DeleteItemCommand({
        TableName: table,
        Key: key(f.tag),
        ConditionExpression: '#from = :from AND #to = :to AND #done = :to',
        ExpressionAttributeNames: { '#from': 'from', '#to': 'to', '#done': 'done' },
        ExpressionAttributeValues: { ':from': { S: f.from }, ':to': { S: f.to } },
      }),
    ),
  );
}
