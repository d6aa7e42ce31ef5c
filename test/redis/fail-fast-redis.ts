// Redis clients whose commands fail at once while they are not connected: Redis unreachable, or a connection the
// test drops and restores.
import { Redis } from 'ioredis';

/**
 * A client of `url` that connects only when told to (lazy, no offline queue, no retries): until then, and after a
 * disconnect, every command fails at once, as when Redis is unreachable. Disconnect it at the end of the test.
 *
 * @example
 * ```ts
 * const down = failFastRedis(env.server.url); // never connected: Redis unreachable
 * const applier = createBufferedApplier({ ...common, redis: down, onRedisDown: 'direct' });
 * ```
 */
export function failFastRedis(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

/**
 * A connected {@link failFastRedis} client whose connection the test drops (`down`) and restores (`up`).
 *
 * @example
 * ```ts
 * const flaky = await flakyClient(env.server.url);
 * flaky.down(); // the next batch finds Redis down
 * ```
 */
export async function flakyClient(
  url: string,
): Promise<{ client: Redis; down(): void; up(): Promise<void> }> {
  const client = failFastRedis(url);
  await client.connect();
  const up = async (): Promise<void> => {
    // disconnect() closes the socket asynchronously: connecting before the client has ended throws "Redis is
    // already connecting/connected" (seen on a loaded machine)
    if (client.status !== 'end') await new Promise((ended) => client.once('end', ended));
    await client.connect();
  };
  return { client, down: () => client.disconnect(), up };
}
