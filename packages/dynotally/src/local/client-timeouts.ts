import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';

/**
 * How long an SDK client waits for DynamoDB: to connect, and for the answer to one attempt of a request
 * (the SDK retries a timed-out attempt like a dropped connection).
 *
 * @example
 * ```ts
 * const t: ClientTimeouts = { connectTimeoutMs: 3_000, requestTimeoutMs: 30_000 };
 * ```
 */
export interface ClientTimeouts {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * The timeouts of every client dynotally creates itself (from a `clientConfig`, for DynamoDB Local, in the
 * CLI unless `--timeout` says otherwise): 3 s to connect, 30 s per attempt.
 *
 * @example
 * ```ts
 * DEFAULT_CLIENT_TIMEOUTS.requestTimeoutMs; // 30000
 * ```
 */
export const DEFAULT_CLIENT_TIMEOUTS: ClientTimeouts = { connectTimeoutMs: 3_000, requestTimeoutMs: 30_000 };

type AnyClientConfig = DynamoDBClientConfig | DynamoDBStreamsClientConfig;

/**
 * `config` with connection and request timeouts, so a client never waits forever on an endpoint that
 * accepts connections but does not answer. A `requestHandler` instance in `config` is left alone (it is the
 * caller's); handler options given as a plain object keep their own values and get the missing ones.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(withTimeouts({ region: 'eu-west-1' }, { connectTimeoutMs: 1_000, requestTimeoutMs: 5_000 }));
 * ```
 */
export function withTimeouts<C extends AnyClientConfig>(
  config: C,
  timeouts: ClientTimeouts = DEFAULT_CLIENT_TIMEOUTS,
): C {
  const given = config.requestHandler as Record<string, unknown> | undefined;
  if (given !== undefined && typeof given.handle === 'function') return config;
  return {
    ...config,
    requestHandler: {
      connectionTimeout: timeouts.connectTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
      ...given,
    },
  };
}
