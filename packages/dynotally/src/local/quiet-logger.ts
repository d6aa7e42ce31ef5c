import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';

type SdkLogger = NonNullable<DynamoDBClientConfig['logger']>;

const ignore = (): void => {};

/**
 * An AWS SDK logger that logs nothing and costs nothing. The SDK's own default logs nothing too, but its logger
 * middleware still builds a redacted copy of every request's input and every response's output to hand to the
 * logger's `info` (and, on a failure, `error`), whatever the logger does with it: for a `BatchExecuteStatement`
 * of 25 row statements that copy was about 30 % of the SDK's client CPU per request (`bench/sdk-logger-cpu.ts`).
 * This logger has no `info` and no `error`, which the SDK calls only when present (`logger?.info?.(…)`), so
 * no copy is made; `trace`, `debug` and `warn`, which the SDK calls unguarded, are there and do nothing.
 *
 * Every client dynotally creates itself uses it (through {@link withQuietLogger}) unless its configuration
 * names a logger. Pass it to a client you create for dynotally when you do not need the SDK's logging.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient({ region: 'eu-west-1', logger: QUIET_SDK_LOGGER });
 * const handler = createStreamHandler({ client, table: 'aggregates', rollups: [storeMetrics] });
 * ```
 */
export const QUIET_SDK_LOGGER: SdkLogger = Object.freeze({
  trace: ignore,
  debug: ignore,
  warn: ignore,
}) as unknown as SdkLogger;

/**
 * `config` with {@link QUIET_SDK_LOGGER} as its logger, unless it names one (a logger you set is kept).
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(withQuietLogger({ region: 'eu-west-1' }));
 * ```
 */
export function withQuietLogger<C extends DynamoDBClientConfig | DynamoDBStreamsClientConfig>(config: C): C {
  return config.logger === undefined ? { ...config, logger: QUIET_SDK_LOGGER } : config;
}
