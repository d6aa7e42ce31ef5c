// A DynamoDB Local of the file's own, for tests that write a lot to stream-enabled tables. The run's shared instance
// holds every table the run's files created (most never delete them), and DynamoDB Local's writes slow as it holds
// more tables with streams (bench/ddbl/stream-vs-tables.ts: 300 PutItems ~1–2 s beside 0–100 such tables, 15 s
// beside 1,000): late in a full run the two stream-priced bench files took 6–10 times their usual time there.
import { afterAll, beforeAll } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../packages/dynotally/src/local/index.ts';
import { favourProcess } from './favour-process.ts';
import { DDB_LOCAL_JVM_OPTIONS, withJvmOptions } from './jvm-options.ts';

/** Start deadline of a private DynamoDB Local: as patient as the global setup's (a JVM under load starts slowly). */
const START_TIMEOUT_MS = 300_000;

/**
 * Registers `beforeAll` / `afterAll` hooks in the current block that start a fresh, empty DynamoDB Local
 * (in memory, on a free port, with the run's JVM options, favoured like the shared one) and stop it; returns a
 * getter of its endpoint (call it inside tests).
 *
 * @example
 * ```ts
 * describe('priced writes', () => {
 *   const endpoint = usePrivateDynamoDbLocal();
 *   it('prices', async () => { await runE2eBench({ endpoint: endpoint(), ... }); });
 * });
 * ```
 */
export function usePrivateDynamoDbLocal(): () => string {
  let local: DynamoDbLocal | undefined;
  let unfavour: () => void = () => {};
  beforeAll(async () => {
    const started = Date.now();
    local = await withJvmOptions(DDB_LOCAL_JVM_OPTIONS, () =>
      startDynamoDbLocal({ timeoutMs: START_TIMEOUT_MS }),
    );
    unfavour = favourProcess(local.pid);
    process.stderr.write(
      `[private DynamoDB Local] ready at ${local.endpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }, START_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    unfavour();
    await local?.stop();
  });
  return () => {
    if (local === undefined)
      throw new Error('the private DynamoDB Local starts in beforeAll: use it inside tests');
    return local.endpoint;
  };
}
