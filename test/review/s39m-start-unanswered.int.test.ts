// Session 39 (noticed by review s39v): the worker's start sent its DescribeTable, ListStreams and DescribeStream
// requests unbounded, while the running worker's were bounded per request (s39v). With a DynamoDB client passed in
// without request timeouts, one that never answered held `start()` for good, and `stop()`, which waits for the start.
// Fixed: the start's requests go through the same per-request bounds (`readTimeoutMs`); a request given up is retried
// as a throttled one is (about a minute, `describe-patiently.ts`), then the start fails with WORKER_ERROR naming the
// request and the endpoint to check.
// Break-check: with the start's first DescribeTable unbounded again (resolveStreamArn without the worker's bound),
// start() has not settled after 100 s, and the test times out at 180 s in its cleanup (stop() waits for the start).
import { afterAll, describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { hangingClient } from '../support/hanging-client.ts';
import { quietLogger, tallies, workerTables } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s39m: a start whose DescribeTable never answers', () => {
  it('gives each request up after readTimeoutMs and fails the start with WORKER_ERROR', {
    timeout: 180_000,
  }, async () => {
    const endpoint = await ddbReady();
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's39m-start');
    const ddb = hangingClient(endpoint, (command) => command.constructor.name === 'DescribeTableCommand');
    const w = createStreamWorker({
      client: ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's39m-start',
      logger: quietLogger(),
      readTimeoutMs: 500,
    });
    try {
      const outcome = await Promise.race([
        w.start().then(
          () => 'started',
          (e: unknown) => e,
        ),
        new Promise((r) => setTimeout(() => r('still starting after 100 s'), 100_000)),
      ]);
      expect(isDynotallyError(outcome, 'WORKER_ERROR'), String(outcome)).toBe(true);
      expect((outcome as Error).message).toMatch(/DescribeTable of '.*' kept failing \(TimeoutError\)/);
    } finally {
      await w.stop();
      ddb.destroy();
    }
  });
});
