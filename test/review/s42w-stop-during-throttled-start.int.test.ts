// What: `stop()` (SIGTERM through installSignalHandlers, Ctrl-C on `dynotally worker`) while `start()` waits out a
// throttled request. The start retries a throttled `DescribeTable`, `DescribeStream` or `ListStreams` patiently (12
// attempts, backoff up to 8 s: about a minute; more with requests that time out), and `stop()` awaited the whole start
// before it did anything: the process stayed up for that minute, its presence item announced (the others leave it its
// share of the shards), and an orchestrator's grace period (30 s on Kubernetes) ended it with SIGKILL instead. A
// fleet restarted at once is exactly when DescribeStream is throttled.
// Here: a stream whose DescribeStream always answers LimitExceededException (a fake stream; leases on DynamoDB
// Local); `stop()` one second after `start()`.
// Observed: `stop()` returned after the start's retries were spent (28 s here; up to about a minute), and `done`
// rejected as if the start had failed.
// Expected: `stop()` returns within a few seconds; `start()` rejects (`WORKER_ERROR`, stopped while starting); `done`
// resolves (a stop, not a failure); no presence item is left.
// Severity: low (a stop during a throttled start takes up to a minute or is killed; nothing is lost, no lease is taken
// before the first listing).
// Fixed: the start's patient requests (describe-patiently.ts) end at once when `stop()` is called during the start
// (the worker's `startAbort`): the request retried is given up, the start fails as stopped, and the stop goes on.
// Break-check: without the abort in `doStop` (stream-worker.ts), `stop()` takes the whole retry and `done` rejects
// (fails).
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { FakeStream } from '../worker/fake-stream.ts';
import { quietLogger, scanAll, tallies } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s42w: stop() while the start waits out a throttled DescribeStream', () => {
  it('returns within seconds, and the start fails as stopped', { timeout: 120_000 }, async () => {
    const stream = new FakeStream();
    stream.addShard('shardId-S0');
    const real = stream.client();
    let throttled = 0;
    const streams = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'DescribeStreamCommand') {
          throttled += 1;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
            name: 'LimitExceededException',
          });
        }
        return (real.send as (c: unknown) => Promise<unknown>)(command);
      },
    } as unknown as DynamoDBStreamsClient;
    const aggregates = uniqueTableName('s42wstop-agg');
    const leases = uniqueTableName('s42wstop-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: streams,
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's42w-stop',
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
    });
    const started = w.start().then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(throttled).toBeGreaterThan(0); // the start is waiting out the throttling
    const from = Date.now();
    await w.stop();
    const took = Date.now() - from;
    const start = await started;
    const done = await w.done.then(
      () => 'resolved',
      () => 'rejected',
    );
    const presences = (await scanAll(clients.ddb, leases)).filter((i) => i.pk?.S?.startsWith('worker|'));
    expect({
      fast: took < 5_000,
      start: start.ok ? 'started' : (start.error as { code?: string }).code,
      done,
      presences: presences.length,
    }).toEqual({ fast: true, start: 'WORKER_ERROR', done: 'resolved', presences: 0 });
  });
});
