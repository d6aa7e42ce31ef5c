import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';

/** Region name dynotally uses for DynamoDB Local; any value works because it runs with `-sharedDb`. */
export const LOCAL_REGION = 'local';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * A `DynamoDBClient` configuration for DynamoDB Local: the endpoint, region `local` and
 * static dummy credentials (no profile, environment or instance-metadata lookups).
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(localClientConfig('http://127.0.0.1:8000'));
 * ```
 */
export function localClientConfig(endpoint: string): DynamoDBClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}

/**
 * A `DynamoDBStreamsClient` configuration for DynamoDB Local (same endpoint as the tables).
 *
 * @example
 * ```ts
 * const streams = new DynamoDBStreamsClient(localStreamsClientConfig('http://127.0.0.1:8000'));
 * ```
 */
export function localStreamsClientConfig(endpoint: string): DynamoDBStreamsClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}
