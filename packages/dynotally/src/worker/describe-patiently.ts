import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
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
