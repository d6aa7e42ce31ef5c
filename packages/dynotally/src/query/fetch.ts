import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  type ConsumedCapacity,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ReadRequest } from './request-params.ts';

/**
 * A stored item as DynamoDB returns it.
 *
 * @example
 * ```ts
 * const item: Item = { pk: { S: 'jobs#sc-1' }, sk: { S: 'H2026-11-22T13:00' }, jobs: { N: '4' } };
 * ```
 */
export type Item = Record<string, AttributeValue>;

/**
 * What reading cost: requests sent (pages and retries included), items returned, read units consumed
 * (as DynamoDB reports them).
 *
 * @example
 * ```ts
 * const stats: ReadStats = { requests: 1, itemsRead: 25, readUnits: 1.5 };
 * ```
 */
export interface ReadStats {
  requests: number;
  itemsRead: number;
  readUnits: number;
}

/**
 * An empty {@link ReadStats}.
 *
 * @example
 * ```ts
 * const stats = emptyStats();
 * ```
 */
export function emptyStats(): ReadStats {
  return { requests: 0, itemsRead: 0, readUnits: 0 };
}

const MAX_BATCH_ATTEMPTS = 10;
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

function units(c: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (c === undefined) return 0;
  const list = Array.isArray(c) ? c : [c];
  return list.reduce((a, x) => a + (x.CapacityUnits ?? 0), 0);
}

/**
 * Sends one read of `table`. A throttling error left after the SDK's own retries is `READ_FAILED`, and DynamoDB's
 * "Cannot do operations on a non-existent table" (which names no table) is `TABLE_NOT_FOUND` naming `table`
 * (cause kept in both).
 *
 * @example
 * ```ts
 * const out = await sendRead(() => client.send(new GetItemCommand(input)), 'GetItem', 'aggregates');
 * ```
 */
export async function sendRead<T>(
  send: () => Promise<T>,
  command: string,
  table: string | undefined,
): Promise<T> {
  try {
    return await send();
  } catch (e) {
    const name = (e as { name?: unknown } | null)?.name;
    if (name === 'ResourceNotFoundException')
      throw new DynotallyError(
        'TABLE_NOT_FOUND',
        `table '${table ?? '?'}' does not exist: create the aggregate table (ensureTables, or 'dynotally tables create' from dynotally-cli), or give createQueryClient the table the stream handler writes`,
        { cause: e, details: { table } },
      );
    if (typeof name !== 'string' || !THROTTLED.has(name)) throw e;
    throw new DynotallyError(
      'READ_FAILED',
      `${command} stayed throttled (${name}) after the DynamoDB client's retries: retry later, raise the table's read capacity, or give the client more attempts (maxAttempts)`,
      { details: { command, error: name }, cause: e },
    );
  }
}

/**
 * Runs a `Query` to the end (every page), or until `enough(items)` says to stop after a page.
 *
 * @throws {DynotallyError} `READ_FAILED` when a page stays throttled after the client's retries;
 *   `TABLE_NOT_FOUND` when the table does not exist.
 * @example
 * ```ts
 * const items = await runQuery(client, input, stats);
 * ```
 */
export async function runQuery(
  client: DynamoDBClient,
  input: QueryCommandInput,
  stats: ReadStats,
  enough?: (items: readonly Item[]) => boolean,
  nextInput?: (page: number) => Partial<QueryCommandInput>,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, AttributeValue> | undefined;
  let page = 0;
  do {
    const out = await sendRead(
      () =>
        client.send(
          new QueryCommand({ ...input, ...(page > 0 ? nextInput?.(page) : {}), ExclusiveStartKey: start }),
        ),
      'Query',
      input.TableName,
    );
    page++;
    stats.requests++;
    stats.readUnits += units(out.ConsumedCapacity);
    for (const it of out.Items ?? []) items.push(it);
    stats.itemsRead += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
    if (enough?.(items)) break;
  } while (start !== undefined);
  return items;
}

/**
 * Runs a `BatchGetItem`, re-sending unprocessed keys with exponential backoff.
 *
 * @throws {DynotallyError} `READ_FAILED` when keys stay unprocessed (throttling) after 10 attempts, or a
 *   request stays throttled after the client's retries; `TABLE_NOT_FOUND` when the table does not exist.
 * @example
 * ```ts
 * const items = await runBatchGet(client, input, stats);
 * ```
 */
export async function runBatchGet(
  client: DynamoDBClient,
  input: BatchGetItemCommandInput,
  stats: ReadStats,
): Promise<Item[]> {
  const items: Item[] = [];
  let request = input.RequestItems;
  for (let attempt = 0; request !== undefined && Object.keys(request).length > 0; attempt++) {
    if (attempt >= MAX_BATCH_ATTEMPTS) {
      throw new DynotallyError(
        'READ_FAILED',
        `BatchGetItem left keys unprocessed after ${MAX_BATCH_ATTEMPTS} attempts (the table is throttling reads): retry later or raise its read capacity`,
        { details: { unprocessed: request } },
      );
    }
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
    const pending = request;
    const out = await sendRead(
      () => client.send(new BatchGetItemCommand({ ...input, RequestItems: pending })),
      'BatchGetItem',
      Object.keys(pending)[0],
    );
    stats.requests++;
    stats.readUnits += units(out.ConsumedCapacity);
    for (const list of Object.values(out.Responses ?? {})) {
      for (const it of list) items.push(it);
      stats.itemsRead += list.length;
    }
    request = out.UnprocessedKeys;
  }
  return items;
}

/**
 * Sends read requests with at most `concurrency` in flight and returns every item read.
 *
 * @example
 * ```ts
 * const items = await sendAll(client, plan.requests, 16, stats);
 * ```
 */
export async function sendAll(
  client: DynamoDBClient,
  requests: readonly ReadRequest[],
  concurrency: number,
  stats: ReadStats,
): Promise<Item[]> {
  const out: Item[][] = new Array(requests.length);
  await mapLimit(requests, concurrency, async (r, i) => {
    out[i] =
      r.command === 'Query'
        ? await runQuery(client, r.input, stats)
        : await runBatchGet(client, r.input, stats);
  });
  return out.flat();
}

/**
 * Indexes items by `pk` and `sk`.
 *
 * @example
 * ```ts
 * const rows = indexItems(items); rows.get('jobs#sc-1\u0000H2026-11-22T13:00');
 * ```
 */
export function indexItems(items: readonly Item[]): Map<string, Item> {
  const map = new Map<string, Item>();
  for (const it of items) map.set(rowKey(it.pk?.S ?? '', it.sk?.S ?? ''), it);
  return map;
}

/**
 * The key {@link indexItems} files a row under.
 *
 * @example
 * ```ts
 * rowKey('jobs#sc-1', 'H2026-11-22T13:00');
 * ```
 */
export function rowKey(pk: string, sk: string): string {
  return `${pk}\u0000${sk}`;
}
