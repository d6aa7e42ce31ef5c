import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynotallyError } from 'dynotally';

/**
 * Bounds every call of `client` (retries and backoff included) by `timeoutMs`: a call still unanswered then
 * fails with `ENDPOINT_UNREACHABLE` saying what to check. Each attempt also has its own request timeout
 * (see `withTimeouts`), so the abandoned attempt does not linger either.
 *
 * @example
 * ```ts
 * addDeadline(client, 10_000, 'http://127.0.0.1:8000');
 * ```
 */
export function addDeadline(
  client: DynamoDBClient | DynamoDBStreamsClient,
  timeoutMs: number,
  endpoint: string | undefined,
): void {
  // both clients share the SDK's middleware stack; its type differs only in the commands' shapes
  (client as DynamoDBClient).middlewareStack.add(
    (next) => (args) => {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unanswered(timeoutMs, endpoint)), timeoutMs);
        timer.unref();
      });
      return Promise.race([next(args), expired]).finally(() => clearTimeout(timer));
    },
    { step: 'initialize', name: 'dynotallyDeadline' },
  );
}

/**
 * The error for a call DynamoDB did not answer in time.
 *
 * @example
 * ```ts
 * unanswered(10_000, 'http://127.0.0.1:8000').code; // 'ENDPOINT_UNREACHABLE'
 * ```
 */
export function unanswered(timeoutMs: number, endpoint: string | undefined): DynotallyError {
  const where = endpoint ?? 'the AWS endpoint of your region';
  return new DynotallyError(
    'ENDPOINT_UNREACHABLE',
    `DynamoDB at ${where} did not answer within ${timeoutMs / 1000} s: check that it is running and that --endpoint / DYNOTALLY_ENDPOINT points at DynamoDB (not another service on that port), check proxies and firewalls, or allow longer with --timeout / DYNOTALLY_TIMEOUT`,
    { details: { endpoint, timeoutMs } },
  );
}
