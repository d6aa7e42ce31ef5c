export {
  REPEAT_EVERY_MS,
  type Recovery,
  type RepeatStreaks,
  type RepeatStreaksOptions,
  type RepeatVerdict,
  repeatStreaks,
  type Streak,
} from '../logging/repeat-streaks.ts';
// A caller's value as dynotally's errors quote it (cut at 200 characters, saying how long it was): the CLI quotes
// what was typed with them
export { shownDetail, shownText } from '../strings/shown-value.ts';
export { LOCAL_REGION, localClientConfig, localStreamsClientConfig } from './client-config.ts';
export {
  CLIENT_MAX_SOCKETS,
  type ClientTimeouts,
  DEFAULT_CLIENT_TIMEOUTS,
  withTimeouts,
} from './client-timeouts.ts';
export { type DynamoDbLocal, type StartDynamoDbLocalOptions, startDynamoDbLocal } from './dynamodb-local.ts';
export { findExecutable, findRedisServer } from './find-executable.ts';
export { findJava } from './find-java.ts';
export { freePort, isPortFree } from './free-port.ts';
export { QUIET_SDK_LOGGER, withQuietLogger } from './quiet-logger.ts';
export { reapOnExit } from './reap-on-exit.ts';
export {
  type LocalRedisServer,
  type StartRedisServerOptions,
  startRedisServer,
} from './redis-server.ts';
export { type WaitForDynamoDbLocalOptions, waitForDynamoDbLocal } from './wait-for-dynamodb-local.ts';
