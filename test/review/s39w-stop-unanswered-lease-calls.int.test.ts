// What: the consumer's reads are bounded (`readTimeoutMs`, session 38) and the renewals during a stop are capped
// (s38y), but the lease table's calls are not: with a DynamoDB `client` passed in without request timeouts (the
// worker's own clients have them), a release, a checkpoint, a renewal in flight or the presence's removal that never
// answers holds `stop()` for good (and, while running, a checkpoint that never answers holds its shard). The stop
// waits on the consumer's release and on the heartbeat's renewal in flight, then on the presence's removal.
// Here: a worker whose DynamoDB client (no request timeout) reaches DynamoDB Local through the fault proxy; once its
// shard is read, every UpdateItem and DeleteItem is held for 2 minutes, and the worker is stopped.
// Expected: each of those calls is given up after a bound (a lease duration: by then the lease it is about has run
// out anyway), retried a few times, and `stop()` returns, the lease left to run out.
// Severity: medium (a process that never exits on SIGTERM, the supervisor's kill then the only way; only with a
// passed client without timeouts, or a dead connection).
// Fixed: LeaseStore sends every request with a signal that ends it after `leaseDurationMs` (worker/bounded-call.ts; a
// timer per call, no listener on a long-lived signal); the consumer's DescribeStream (`shardListed`) and the
// coordination's are bounded by `readTimeoutMs`.
// Break-check: without the bound in LeaseStore, `stop()` has not returned after 45 s (fails).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../packages/dynotally/src/local/client-config.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  workerTables,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s39w: stop() while the lease table does not answer', () => {
  it('gives the unanswered calls up and returns', { timeout: 300_000 }, async () => {
    const endpoint = await ddbReady();
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's39wstop');
    const ops = makeOps(3904, 10, 5);
    await writeOps(clients.ddb, source, ops);
    const proxy = await startFaultProxy({
      target: endpoint,
      counts: (op) => op === 'UpdateItem' || op === 'DeleteItem',
    });
    // a client as a user makes it: no request timeout
    const ddb = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const w = createStreamWorker({
      client: ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's39w-stop',
      logger: quietLogger(),
      leaseDurationMs: 2_500,
      heartbeatMs: 300,
      pollIntervalMs: 100,
    });
    try {
      await w.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 250 })
        .toEqual(expectedCells(ops));
      proxy.setSchedule([{ after: 0, fault: { kind: 'delay', ms: 120_000 }, requests: 10_000 }]);
      let stopped = false;
      const started = Date.now();
      const stopping = w.stop().then(() => {
        stopped = true;
      });
      stopping.catch(() => {});
      // each call bounded by a lease duration (2.5 s), far under the proxy's 2-minute hold; 90 s for a loaded stop
      while (!stopped && Date.now() - started < 90_000) await new Promise((r) => setTimeout(r, 250));
      expect({ stopped, heldRequests: proxy.requests > 0 }).toEqual({ stopped: true, heldRequests: true });
    } finally {
      await proxy.close(); // the held requests' connections are reset
      await w.stop();
      ddb.destroy();
    }
  });
});
