// A DynamoDB client as a user makes it (no request timeout) whose chosen requests never answer until their signal
// aborts (as the SDK's requests honour it): for probes of the worker's per-request bounds.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '../../packages/dynotally/src/local/client-config.ts';

/** Picks the requests that never answer. */
export type Hang = (command: { constructor: { name: string }; input: Record<string, unknown> }) => boolean;

/** A client without request timeouts whose requests `hang` picks never answer until their signal aborts. */
export function hangingClient(endpoint: string, hang: Hang): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { send: unknown }).send = (
    command: never,
    options?: { abortSignal?: AbortSignal },
  ) => {
    if (!hang(command)) return send(command, options);
    return new Promise((_, reject) => {
      options?.abortSignal?.addEventListener('abort', () =>
        reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
      );
    });
  };
  return client;
}
