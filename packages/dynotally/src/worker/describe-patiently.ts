import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, Shard } from '@aws-sdk/client-dynamodb-streams';
import { withRetry } from '../apply/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { describeStreamShards } from '../streams/index.ts';
import { describeTable } from '../tables/index.ts';

/** About a minute of throttling (exponential backoff, capped at 8 s) before a worker's start gives up. */
const START_RETRY = { maxAttempts: 12, baseDelayMs: 100, maxDelayMs: 8_000 } as const;

/**
 * `DescribeTable` for a worker's start, patient with throttling: DescribeTable shares a small per-account
 * request rate, so a fleet of workers starting at once is throttled more often than the SDK's three attempts
 * cover. Retryable failures are retried for about a minute; then WORKER_ERROR with the last error as `cause`.
 *
 * @example
 * ```ts
 * const description = await describeTablePatiently(client, 'orders'); // undefined when it does not exist
 * ```
 */
export async function describeTablePatiently(
  client: DynamoDBClient,
  table: string,
): Promise<TableDescription | undefined> {
  try {
    return await withRetry(() => describeTable(client, table), START_RETRY);
  } catch (e) {
    if (!isDynotallyError(e, 'APPLY_FAILED')) throw e;
    const last = e.cause as Error | undefined;
    throw new DynotallyError(
      'WORKER_ERROR',
      `DescribeTable of '${table}' kept failing (${last?.name ?? 'unknown error'}) for ${START_RETRY.maxAttempts} attempts: the worker cannot start; check the endpoint and the account's DescribeTable rate, then start it again`,
      { details: { table, error: last?.name }, cause: last },
    );
  }
}

/**
 * Every shard of a stream for a worker's start ({@link describeStreamShards}), patient with throttling as
 * {@link describeTablePatiently} is: DescribeStream has a small per-stream rate that a fleet starting at once (and
 * every page of a stream with many shards) spends quickly. Retryable failures are retried for about a minute; then
 * WORKER_ERROR with the last error as `cause`. Anything else (a stream that does not exist) is thrown at once.
 *
 * @example
 * ```ts
 * const shards = await describeStreamPatiently(streams, streamArn);
 * ```
 */
export async function describeStreamPatiently(
  streams: DynamoDBStreamsClient,
  streamArn: string,
): Promise<Shard[]> {
  try {
    return await withRetry(() => describeStreamShards(streams, streamArn), START_RETRY);
  } catch (e) {
    if (!isDynotallyError(e, 'APPLY_FAILED')) throw e;
    const last = e.cause as Error | undefined;
    throw new DynotallyError(
      'WORKER_ERROR',
      `DescribeStream of '${streamArn}' kept failing (${last?.name ?? 'unknown error'}) for ${START_RETRY.maxAttempts} attempts: the worker cannot start; check the endpoint and how many workers describe the stream at once, then start it again`,
      { details: { streamArn, error: last?.name }, cause: last },
    );
  }
}
