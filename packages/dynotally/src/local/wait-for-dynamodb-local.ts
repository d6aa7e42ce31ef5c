import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import { localClientConfig } from './client-config.ts';

/** Options for {@link waitForDynamoDbLocal}. */
export interface WaitForDynamoDbLocalOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between probes (default 100 ms). */
  intervalMs?: number;
  /** Stop early; the reason (an Error) is rethrown. */
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once DynamoDB Local at `endpoint` answers `ListTables`, probing every 100 ms.
 * Throws `LOCAL_START_FAILED` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitForDynamoDbLocal('http://127.0.0.1:8000', { timeoutMs: 10_000 });
 * ```
 */
export async function waitForDynamoDbLocal(
  endpoint: string,
  options: WaitForDynamoDbLocalOptions = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 100, signal } = options;
  const deadline = Date.now() + timeoutMs;
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  let lastError: unknown;
  try {
    for (;;) {
      signal?.throwIfAborted();
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal });
        return;
      } catch (err) {
        signal?.throwIfAborted();
        lastError = err;
      }
      if (Date.now() + intervalMs > deadline) break;
      await sleep(intervalMs);
    }
  } finally {
    client.destroy();
  }
  throw new DynotallyError(
    'LOCAL_START_FAILED',
    `DynamoDB Local at ${endpoint} did not answer within ${timeoutMs} ms: check that the process is running and the port is reachable, or raise timeoutMs on a slow machine`,
    { details: { endpoint, timeoutMs }, cause: lastError },
  );
}
