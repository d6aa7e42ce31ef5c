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
  /** Give up on one probe after this long (default 10 s): a JVM that accepts TCP but answers nothing never blocks past the deadline. */
  probeTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once DynamoDB Local at `endpoint` answers `ListTables`, probing every 100 ms (each probe bounded by
 * `probeTimeoutMs`, so the deadline holds even against a process that accepts connections and never answers).
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
  const { timeoutMs = 30_000, intervalMs = 100, signal, probeTimeoutMs = 10_000 } = options;
  const deadline = Date.now() + timeoutMs;
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  let lastError: unknown;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const remaining = Math.max(1, Math.min(probeTimeoutMs, deadline - Date.now()));
      const probe = AbortSignal.timeout(remaining);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: signal === undefined ? probe : AbortSignal.any([signal, probe]),
        });
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
