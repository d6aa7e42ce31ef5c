import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { localClientConfig, localStreamsClientConfig } from 'dynotally/local';
import type { Settings } from './settings.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The DynamoDB and DynamoDB Streams clients of a command; `destroy()` when done.
 *
 * @example
 * ```ts
 * const { ddb, streams, destroy } = makeClients({ endpoint: 'http://127.0.0.1:8000', region: undefined });
 * ```
 */
export interface CliClients {
  ddb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  destroy(): void;
}

/**
 * True when `endpoint` is on this machine (`localhost`, `127.x.x.x`, `[::1]`: DynamoDB Local): such clients get
 * region `local` and dummy credentials, so no AWS account, profile or region is needed.
 *
 * @example
 * ```ts
 * isLoopbackEndpoint('http://127.0.0.1:8000'); // true
 * isLoopbackEndpoint('http://localhost:8000'); // true
 * ```
 */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.toLowerCase();
    return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

/**
 * The client configuration for the settings: DynamoDB Local's (endpoint, dummy credentials) for a
 * loopback endpoint, otherwise the endpoint and region given, with the SDK's usual credential chain.
 *
 * @example
 * ```ts
 * new DynamoDBClient(clientConfigFor(settings));
 * ```
 */
export function clientConfigFor(settings: Pick<Settings, 'endpoint' | 'region'>): DynamoDBClientConfig {
  if (settings.endpoint !== undefined && isLoopbackEndpoint(settings.endpoint)) {
    return localClientConfig(settings.endpoint);
  }
  return {
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(settings.region === undefined ? {} : { region: settings.region }),
  };
}

/**
 * Makes the command's clients (the CLI owns these and destroys them at exit).
 *
 * @example
 * ```ts
 * const clients = makeClients(settings);
 * try { await clients.ddb.send(cmd); } finally { clients.destroy(); }
 * ```
 */
export function makeClients(settings: Pick<Settings, 'endpoint' | 'region'>): CliClients {
  const config = clientConfigFor(settings);
  const ddb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(
    settings.endpoint !== undefined && isLoopbackEndpoint(settings.endpoint)
      ? localStreamsClientConfig(settings.endpoint)
      : (config as DynamoDBStreamsClientConfig),
  );
  return {
    ddb,
    streams,
    destroy: () => {
      ddb.destroy();
      streams.destroy();
    },
  };
}
