import { DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';

/**
 * Vitest setup file of the service tiers: in the test process, `UpdateTimeToLive` is answered here and never
 * reaches DynamoDB Local, so no table a test creates has time to live enabled.
 *
 * Why: DynamoDB Local deletes items whose TTL has passed within seconds (measured: an item with `ttl` a year past
 * was gone within 15 s, one a day ahead stayed). Many tests run the library on a fixed clock in 2025, and the items
 * it writes with a TTL (dead letters, shard and transaction watermarks, exclusions, rows with retention) are then
 * already expired: a test that outlived the sweep lost them, and failed now and then. The service deletes expired
 * items within days, never seconds, so a table without TTL is the faithful model of a test's few minutes.
 *
 * A file that tests time to live itself calls {@link keepTimeToLive} at its top. Processes a test spawns (the
 * CLI, `npm start`) are not affected: they run on the real clock.
 *
 * @example
 * ```ts
 * // vitest.config.ts, the services project
 * test: { setupFiles: ['test/support/ttl-off.ts'] }
 * ```
 */
const PATCHED = Symbol.for('dynotally.test.ttlOff');
const KEEP = Symbol.for('dynotally.test.keepTimeToLive');

type Flags = { [PATCHED]?: true; [KEEP]?: boolean };
const flags = globalThis as Flags;

/**
 * Lets this file's `UpdateTimeToLive` requests reach DynamoDB Local (for tests of time to live itself).
 *
 * @example
 * ```ts
 * import { keepTimeToLive } from '../../test/support/ttl-off.ts';
 * keepTimeToLive();
 * ```
 */
export function keepTimeToLive(): void {
  flags[KEEP] = true;
}

/** Whether `UpdateTimeToLive` requests of this file reach DynamoDB Local. */
export function timeToLiveKept(): boolean {
  return flags[KEEP] === true;
}

// Each file starts with TTL off, also when a worker process runs several files.
flags[KEEP] = false;

if (flags[PATCHED] !== true) {
  flags[PATCHED] = true;
  const send = DynamoDBClient.prototype.send;
  // `send` has callback overloads; the library and the tests use the promise form, which is the one intercepted.
  DynamoDBClient.prototype.send = function sendWithoutTtl(
    this: DynamoDBClient,
    ...args: Parameters<DynamoDBClient['send']>
  ) {
    const [command, options] = args;
    if (
      command instanceof UpdateTimeToLiveCommand &&
      !timeToLiveKept() &&
      typeof options !== 'function' &&
      args.length < 3
    ) {
      return Promise.resolve({
        TimeToLiveSpecification: command.input.TimeToLiveSpecification,
        $metadata: { httpStatusCode: 200 },
      });
    }
    return (send as (...a: unknown[]) => unknown).apply(this, args);
  } as DynamoDBClient['send'];
}
