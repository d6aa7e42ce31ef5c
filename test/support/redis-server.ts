// Tests spawn their own redis-server (the implementation lives with the dev stack), ahead of other work on the
// machine when the run may raise priorities (favour-process.ts).
import {
  type LocalRedisServer,
  type StartRedisServerOptions,
  startRedisServer as startServer,
} from '../../packages/dynotally/src/local/redis-server.ts';
import { favourProcess } from './favour-process.ts';

export type { LocalRedisServer, StartRedisServerOptions };

/**
 * Starts a redis-server on a free port for a test, favoured over other work on the machine (root only).
 *
 * @example
 * ```ts
 * const server = await startRedisServer();
 * await server.stop();
 * ```
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<LocalRedisServer> {
  const server = await startServer(options);
  const unfavour = favourProcess(server.pid);
  return {
    ...server,
    stop: async () => {
      unfavour();
      await server.stop();
    },
  };
}
