// Fixed (session 39, helper s39v): the running worker sends DescribeTable (tables/describe-table.ts takes a signal)
// and ListStreams (list-table-streams.ts takes a PageSender) within readTimeoutMs, and the gone-stream sweep's Scan and
// UpdateItem within leaseDurationMs, its DescribeStream within readTimeoutMs (gone-stream-leases.ts takes them;
// stream-worker.ts gives them), each request on its own.
// Break-check: on main both cases fail (stop() not returned after 30 s; the test then times out in its cleanup).
// Review s39v (today's per-call bounds, 3b80e3a7, which bound the lease store's requests and the running worker's
// DescribeStream). Severity: medium (a process that never exits on SIGTERM, and takes no lease nor discovers a shard
// meanwhile; only with a passed client without request timeouts, or a dead connection).
// What: the coordination cycle makes other requests through the passed clients, unbounded: a worker following its
// source table (`sourceTable`) asks DescribeTable for the table's latest stream at every discovery (and ListStreams
// when it changed), and the first running cycle, then one an hour, sweeps the lease table for gone streams' leases (a
// Scan, DescribeStream, UpdateItem: `expireGoneStreamLeases`). `stop()` waits for the cycle in flight, so one of them
// that never answers holds the stop for good, as a hung release did before s39w.
// Scenario: a DynamoDB client as a user makes it (no request timeout), through which (a) DescribeTable, (b) the
// sweep's Scan never answer once the worker has started (the request honours its abort signal, as the SDK's does).
// Expected: each is given up after its bound (readTimeoutMs, leaseDurationMs per attempt), and stop() returns.
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { hangingClient } from '../support/hanging-client.ts';
import { makeOps, quietLogger, tallies, workerTables, writeOps } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

async function stopsWithin(ms: number, stop: () => Promise<void>): Promise<boolean> {
  let stopped = false;
  const stopping = stop().then(() => {
    stopped = true;
  });
  stopping.catch(() => {});
  const started = Date.now();
  while (!stopped && Date.now() - started < ms) await new Promise((r) => setTimeout(r, 200));
  return stopped;
}

describe('s39v: stop() while a coordination request does not answer', () => {
  for (const which of ['DescribeTable', 'sweep Scan'] as const) {
    it(`gives the unanswered ${which} up and returns`, { timeout: 120_000 }, async () => {
      const endpoint = await ddbReady();
      const { source, aggregates, leases } = await workerTables(clients.ddb, `s39v-coord-${which.length}`);
      const ops = makeOps(3905, 5, 3);
      await writeOps(clients.ddb, source, ops);
      let started = false;
      const ddb = hangingClient(endpoint, (command) => {
        if (!started) return false;
        const name = command.constructor.name;
        if (which === 'DescribeTable') return name === 'DescribeTableCommand';
        return (
          name === 'ScanCommand' &&
          String(command.input.FilterExpression ?? '').includes('attribute_not_exists(#ttl)')
        );
      });
      const w = createStreamWorker({
        client: ddb,
        streamsClient: clients.streams,
        sourceTable: source,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        workerId: `s39v-coord-${which.length}`,
        logger: quietLogger(),
        leaseDurationMs: 2_500,
        heartbeatMs: 300,
        pollIntervalMs: 100,
        readTimeoutMs: 1_000,
        discoveryIntervalMs: 300,
      });
      try {
        await w.start();
        started = true;
        // the running cycles reach the request that hangs
        await new Promise((r) => setTimeout(r, 1_500));
        expect(await stopsWithin(30_000, () => w.stop())).toBe(true);
      } finally {
        started = false;
        await w.stop();
        ddb.destroy();
      }
    });
  }
});
