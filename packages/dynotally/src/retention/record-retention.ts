import {
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { consumedUnits } from '../apply/capacity.ts';
import { type RetryOptions, roundBackoff, withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { entriesAttribute, historyKey, parseHistory, type StoredHistory } from './history-item.ts';
import { HISTORY_FRESH_MS } from './history-timing.ts';
import { mergeEntries } from './merge-entries.ts';

/** Writes lost to a concurrent writer of the same item before giving up (each re-reads first). */
const MAX_RACES = 8;

/**
 * The conditional write that replaces a history read at `stored.version` with the writer's retentions merged
 * in at `now` (`undefined` when there is nothing finite to record).
 *
 * @example
 * ```ts
 * const input = recordRetentionParams('aggregates', 'jobs', jobs.compiled.retentionMs, stored, Date.now());
 * ```
 */
export function recordRetentionParams(
  table: string,
  rollup: string,
  retentionMs: ReadonlyMap<string, number>,
  stored: StoredHistory,
  now: number,
): UpdateItemCommandInput | undefined {
  if (![...retentionMs.values()].some(Number.isFinite)) return undefined;
  if (recordedRecently(stored, retentionMs, now)) return undefined;
  const entries = mergeEntries(stored.entries, retentionMs, now);
  return {
    TableName: table,
    Key: historyKey(rollup),
    UpdateExpression: 'SET #e = :e, #v = :next',
    ReturnConsumedCapacity: 'TOTAL',
    ConditionExpression: stored.version === 0 ? 'attribute_not_exists(#v)' : '#v = :v',
    ExpressionAttributeNames: { '#e': 'e', '#v': 'v' },
    ExpressionAttributeValues: {
      ':e': entriesAttribute(entries),
      ':next': { N: String(stored.version + 1) },
      ...(stored.version === 0 ? {} : { ':v': { N: String(stored.version) } }),
    },
  };
}

/** Every finite retention is in the history with a `lastSeen` within {@link HISTORY_FRESH_MS} before `now`. */
function recordedRecently(
  stored: StoredHistory,
  retentionMs: ReadonlyMap<string, number>,
  now: number,
): boolean {
  for (const [g, r] of retentionMs) {
    if (!Number.isFinite(r)) continue;
    const e = stored.entries.find((x) => x.granularity === g && x.retentionMs === r);
    if (e === undefined || e.lastSeen < now - HISTORY_FRESH_MS || e.firstSeen > now) return false;
  }
  return true;
}

/**
 * What recording a history wrote: the write units of its `UpdateItem` (0 and 0 when nothing had to be written).
 *
 * @example
 * ```ts
 * const wrote: RecordedRetention = { writeUnits: 1, requests: 1 };
 * ```
 */
export interface RecordedRetention {
  writeUnits: number;
  requests: number;
}

/**
 * Records that a write process writes `rollup`'s rows under `retentionMs` as of `now`: one consistent `GetItem`
 * of the rollup's history item and one conditional `UpdateItem` (again, re-read, when another process wrote it
 * in between; none when another process recorded the same retentions within {@link HISTORY_FRESH_MS}). Nothing
 * is sent when every granularity is kept forever.
 *
 * @throws {DynotallyError} `APPLY_FAILED` when DynamoDB keeps failing or the item keeps changing under it.
 * @example
 * ```ts
 * const { writeUnits } = await recordRetention(client, 'aggregates', jobs.compiled.name, jobs.compiled.retentionMs, Date.now());
 * ```
 */
export async function recordRetention(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  retentionMs: ReadonlyMap<string, number>,
  now: number,
  retry?: RetryOptions,
): Promise<RecordedRetention> {
  const wrote: RecordedRetention = { writeUnits: 0, requests: 0 };
  if (![...retentionMs.values()].some(Number.isFinite)) return wrote;
  for (let race = 0; race < MAX_RACES; race++) {
    const out = await withRetry(
      () =>
        client.send(new GetItemCommand({ TableName: table, Key: historyKey(rollup), ConsistentRead: true })),
      retry,
    );
    const input = recordRetentionParams(table, rollup, retentionMs, parseHistory(out.Item), now);
    if (input === undefined) return wrote;
    try {
      const out = await withRetry(() => client.send(new UpdateItemCommand(input)), retry);
      // an item of a few hundred bytes: 1 unit where the store does not say
      wrote.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
      wrote.requests++;
      return wrote;
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      // a refused conditional write still costs a unit and a request
      wrote.writeUnits += 1;
      wrote.requests++;
      await roundBackoff(race + 1); // another process wrote it: re-read (it may have recorded ours)
    }
  }
  throw new DynotallyError(
    'APPLY_FAILED',
    `the retention history of rollup '${rollup}' kept changing under ${MAX_RACES} attempts to record this process's retention: retry the batch`,
    { details: { rollup } },
  );
}
