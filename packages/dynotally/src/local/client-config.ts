import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { type ClientTimeouts, DEFAULT_CLIENT_TIMEOUTS, withTimeouts } from './client-timeouts.ts';

/** Region name dynotally uses for DynamoDB Local; any value works because it runs with `-sharedDb`. */
export const LOCAL_REGION = 'local';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * A `DynamoDBClient` configuration for DynamoDB Local: the endpoint, region `local`, static dummy
 * credentials (no profile, environment or instance-metadata lookups) and connection and request timeouts
 * (default {@link DEFAULT_CLIENT_TIMEOUTS}).
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(localClientConfig('http://127.0.0.1:8000'));
 * ```
 */
export function localClientConfig(endpoint: string, timeouts?: ClientTimeouts): DynamoDBClientConfig {
  return withTimeouts({ endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } }, timeouts);
}

/**
 * A `DynamoDBStreamsClient` configuration for DynamoDB Local (same endpoint as the tables, same timeouts).
 *
 * @example
 * ```ts
 * const streams = new DynamoDBStreamsClient(localStreamsClientConfig('http://127.0.0.1:8000'));
 * ```
 */
export function localStreamsClientConfig(
  endpoint: string,
  timeouts?: ClientTimeouts,
): DynamoDBStreamsClientConfig {
  return withTimeouts({ endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } }, timeouts);
}
