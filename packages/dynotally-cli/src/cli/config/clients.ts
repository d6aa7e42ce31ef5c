import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import {
  type ClientTimeouts,
  localClientConfig,
  localStreamsClientConfig,
  withTimeouts,
} from 'dynotally/local';
import { isLoopbackHost } from '../../net/loopback.ts';
import { addDeadline } from './deadline.ts';
import type { Settings } from './settings.ts';

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
 * True when `endpoint` is on this machine (`localhost`, `127.x.x.x`, `[::1]`, `[::ffff:127.x.y.z]`: DynamoDB
 * Local): such clients get region `local` and dummy credentials, so no AWS account, profile or region is needed,
 * and `scenario run` writes there without `--yes-write-to`. The URL's host goes through {@link isLoopbackHost}
 * (`net/loopback.ts`, the dashboard's rule too): `*.localhost` and `localhost.` are not taken as this machine.
 *
 * @example
 * ```ts
 * isLoopbackEndpoint('http://127.0.0.1:8000'); // true
 * isLoopbackEndpoint('http://localhost:8000'); // true
 * ```
 */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    return isLoopbackHost(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * The per-attempt timeouts of the CLI's clients for a `--timeout` budget: each attempt may take half of it (so
 * one retry fits), connecting at most 3 s.
 *
 * @example
 * ```ts
 * cliTimeouts(10_000); // { connectTimeoutMs: 3000, requestTimeoutMs: 5000 }
 * ```
 */
export function cliTimeouts(timeoutMs: number): ClientTimeouts {
  const half = Math.max(1, Math.floor(timeoutMs / 2));
  return { connectTimeoutMs: Math.min(3_000, half), requestTimeoutMs: half };
}

type ClientSettings = Pick<Settings, 'endpoint' | 'region'> & { timeoutMs?: number | undefined };

/**
 * The client configuration for the settings: DynamoDB Local's (endpoint, region `local`, dummy credentials)
 * for a loopback endpoint, otherwise the endpoint and region given, with the SDK's usual credential chain;
 * connection and request timeouts from `timeoutMs` ({@link cliTimeouts}, default 10 s).
 *
 * @example
 * ```ts
 * new DynamoDBClient(clientConfigFor(settings));
 * ```
 */
export function clientConfigFor(settings: ClientSettings): DynamoDBClientConfig {
  const timeouts = cliTimeouts(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (settings.endpoint !== undefined && isLoopbackEndpoint(settings.endpoint)) {
    return localClientConfig(settings.endpoint, timeouts);
  }
  return withTimeouts(
    {
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
    },
    timeouts,
  );
}

/**
 * The CLI's default `--timeout`: no DynamoDB call waits longer than this, retries included.
 *
 * @example
 * ```ts
 * DEFAULT_TIMEOUT_MS; // 10000
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Makes the command's clients (the CLI owns these and destroys them at exit). Every call is bounded by the
 * settings' `timeoutMs` (default 10 s), after which it fails with `ENDPOINT_UNREACHABLE`.
 *
 * @example
 * ```ts
 * const clients = makeClients(settings);
 * try { await clients.ddb.send(cmd); } finally { clients.destroy(); }
 * ```
 */
export function makeClients(settings: ClientSettings): CliClients {
  const config = clientConfigFor(settings);
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ddb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(
    settings.endpoint !== undefined && isLoopbackEndpoint(settings.endpoint)
      ? localStreamsClientConfig(settings.endpoint, cliTimeouts(timeoutMs))
      : (config as DynamoDBStreamsClientConfig),
  );
  addDeadline(ddb, timeoutMs, settings.endpoint);
  addDeadline(streams, timeoutMs, settings.endpoint);
  return {
    ddb,
    streams,
    destroy: () => {
      ddb.destroy();
      streams.destroy();
    },
  };
}
