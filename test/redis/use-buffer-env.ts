// One BufferEnv per test file: started before the file's tests, closed after them.
import { afterAll, beforeAll } from 'vitest';
import { type BufferEnv, startBufferEnv } from './harness.ts';

/**
 * Registers `beforeAll` / `afterAll` hooks that start a {@link BufferEnv} (redis-server and DynamoDB Local clients)
 * and close it, and returns a stand-in that reads the started environment: use it inside tests and hooks only.
 * `beforeClose` runs first on the way out (e.g. to undo a Redis configuration the file changed).
 *
 * @example
 * ```ts
 * const env = useBufferEnv();
 * it('…', async () => {
 *   const { common } = await env.fixture('x', [rollup], START);
 * });
 * ```
 */
export function useBufferEnv(options: { beforeClose?(env: BufferEnv): Promise<unknown> } = {}): BufferEnv {
  let started: BufferEnv | undefined;
  beforeAll(async () => {
    started = await startBufferEnv();
  });
  afterAll(async () => {
    if (started === undefined) return;
    await options.beforeClose?.(started);
    await started.close();
  });
  const env = (): BufferEnv => {
    if (started === undefined)
      throw new Error('the buffer environment starts in beforeAll: use it inside tests');
    return started;
  };
  return {
    get server() {
      return env().server;
    },
    get redis() {
      return env().redis;
    },
    get ddb() {
      return env().ddb;
    },
    fresh: (prefix) => env().fresh(prefix),
    fixture: (prefix, rollups, start) => env().fixture(prefix, rollups, start),
    close: () => env().close(),
  };
}
