import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { QUIET_SDK_LOGGER, withQuietLogger } from './quiet-logger.ts';

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
 * Sockets a client created by {@link withTimeouts} may open to one endpoint (the SDK's default is 50).
 *
 * The SDK starts its connection timer when a request is queued, not when a socket starts connecting: with
 * only 50 sockets, a client that has a few hundred requests in flight (a Powertools batch processed in
 * parallel, a query fan-out) sees requests that waited more than `connectTimeoutMs` for a free socket fail
 * as connection timeouts, although they were never sent. With more sockets than requests in flight the
 * timer measures what it says. dynotally's own writers keep far fewer requests in flight than this.
 *
 * @example
 * ```ts
 * CLIENT_MAX_SOCKETS; // 512
 * ```
 */
export const CLIENT_MAX_SOCKETS = 512;

/**
 * `config` with connection and request timeouts, so a client never waits forever on an endpoint that
 * accepts connections but does not answer, and with {@link CLIENT_MAX_SOCKETS} sockets so that the
 * connection timer is not spent waiting for a pooled socket. A `requestHandler` instance in `config` is
 * left alone (it is the caller's); handler options given as a plain object keep their own values and get
 * the missing ones.
 * The settings of every client dynotally creates itself, so it also sets {@link QUIET_SDK_LOGGER} as the
 * logger unless `config` names one (the SDK's default logger would have every request copied for nothing).
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
  if (given !== undefined && typeof given.handle === 'function') return withQuietLogger(config);
  return withQuietLogger({
    ...config,
    requestHandler: {
      connectionTimeout: timeouts.connectTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: CLIENT_MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: CLIENT_MAX_SOCKETS },
      ...given,
    },
  });
}
