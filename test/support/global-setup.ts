import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../packages/dynotally/src/local/index.ts';

/**
 * Vitest global setup: one DynamoDB Local (in memory, free port) for the whole run.
 *
 * The JVM is spawned here but not waited for, so pure tests do not pay its ~2 s start; the
 * helpers in `./ddb.ts` wait for it on first use. Set `DYNOTALLY_TEST_DDB_ENDPOINT` to reuse a
 * DynamoDB Local that is already running instead.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['test/support/global-setup.ts'] } });
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DYNOTALLY_TEST_DDB_ENDPOINT;
  if (external) {
    project.provide('ddbEndpoint', external);
    project.provide('ddbStartError', '');
    return async () => {};
  }
  try {
    const local = await startDynamoDbLocal({ wait: false });
    project.provide('ddbEndpoint', local.endpoint);
    project.provide('ddbStartError', '');
    let stopping = false;
    local.ready.catch((err: unknown) => {
      // A run of pure tests may end before the JVM is up: that is no failure.
      if (!stopping) console.error(`[global-setup] DynamoDB Local did not start: ${String(err)}`);
    });
    return () => {
      stopping = true;
      return local.stop();
    };
  } catch (err) {
    // Pure tests still run; integration tests fail with this message on first use.
    project.provide('ddbEndpoint', '');
    project.provide('ddbStartError', String(err));
    return async () => {};
  }
}
