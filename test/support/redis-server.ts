// Tests spawn their own redis-server; the implementation lives with the dev stack.
export {
  type LocalRedisServer,
  type StartRedisServerOptions,
  startRedisServer,
} from '../../packages/dynotally/src/local/redis-server.ts';
