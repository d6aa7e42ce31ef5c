import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, Shard } from '@aws-sdk/client-dynamodb-streams';
import { withRetry } from '../apply/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { describeStreamShards, listTableStreams, type PageSender } from '../streams/index.ts';
import { describeTable } from '../tables/index.ts';

/** About a minute of throttling (exponential backoff, capped at 8 s) before a worker's start gives up. */
const START_RETRY = { maxAttempts: 12, baseDelayMs: 100, maxDelayMs: 8_000 } as const;

/**
 * `request` for a worker's start, patient with throttling: retryable failures (a request given up by the bound its
 * caller passes, `perPage` / `perRequest`, among them) are retried for about a minute; then
 * WORKER_ERROR with the last error as `cause`, naming the `action` and `advice`. Anything else is thrown at once.
 * `stop` (the worker stopped during its start) ends the retries at once, with WORKER_ERROR (`details.stopped`):
 * `withRetry`'s backoff ends on it and no attempt follows (a request in flight ends within its bound, `perRequest`);
 * before, a `stop()` waited out the whole retry, about a minute (review s42w).
 */
async function patiently<T>(
  request: () => Promise<T>,
  action: string,
  advice: string,
  details: Record<string, unknown>,
  stop?: AbortSignal,
): Promise<T> {
  try {
    const value = await withRetry(request, { ...START_RETRY, signal: stop });
    stop?.throwIfAborted(); // answered after stop(): the start ends as stopped all the same
    return value;
  } catch (e) {
    if (stop?.aborted)
      throw new DynotallyError(
        'WORKER_ERROR',
        `the worker was stopped during its start, while ${action} was retried`,
        { details: { ...details, stopped: true }, cause: e },
      );
    if (!isDynotallyError(e, 'APPLY_FAILED')) throw e;
    const last = e.cause as Error | undefined;
    throw new DynotallyError(
      'WORKER_ERROR',
      `${action} kept failing (${last?.name ?? 'unknown error'}) for ${START_RETRY.maxAttempts} attempts: the worker cannot start; ${advice}, then start it again`,
      { details: { ...details, error: last?.name }, cause: last },
    );
  }
}

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
export function describeTablePatiently(
  client: DynamoDBClient,
  table: string,
  perRequest: PageSender = (call) => call(undefined),
  /** Aborted when the worker is stopped during its start: the wait ends at once (WORKER_ERROR). */
  stop?: AbortSignal,
): Promise<TableDescription | undefined> {
  return patiently(
    () => perRequest((abortSignal) => describeTable(client, table, abortSignal)),
    `DescribeTable of '${table}'`,
    "check the endpoint and the account's DescribeTable rate",
    { table },
    stop,
  );
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
export function describeStreamPatiently(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  perPage?: PageSender,
  /** Aborted when the worker is stopped during its start: the wait ends at once (WORKER_ERROR). */
  stop?: AbortSignal,
): Promise<Shard[]> {
  return patiently(
    () => describeStreamShards(streams, streamArn, perPage),
    `DescribeStream of '${streamArn}'`,
    'check the endpoint and how many workers describe the stream at once',
    { streamArn },
    stop,
  );
}

/**
 * The streams of a table for a worker's start ({@link listTableStreams}), patient with throttling as
 * {@link describeTablePatiently} is: ListStreams allows only a few requests a second per account.
 *
 * @example
 * ```ts
 * const arns = await listTableStreamsPatiently(streams, 'orders');
 * ```
 */
export function listTableStreamsPatiently(
  streams: DynamoDBStreamsClient,
  table: string,
  perPage?: PageSender,
  /** Aborted when the worker is stopped during its start: the wait ends at once (WORKER_ERROR). */
  stop?: AbortSignal,
): Promise<string[]> {
  return patiently(
    () => listTableStreams(streams, table, perPage),
    `ListStreams of table '${table}'`,
    "check the endpoint and the account's ListStreams rate",
    { table },
    stop,
  );
}
