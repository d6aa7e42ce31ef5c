// What: 60d9c773 reads a GetRecords given up after `readTimeoutMs` again at once (`continue`, no pause), while every
// other failed GetRecords waits max(pollIntervalMs, 500 ms). A bound shorter than the reads take (any value > 0 is
// accepted: 1 ms, or 200 ms against a region 300 ms away) gives every read up and sends the next one at once: a
// loop of aborted requests as fast as they can be made, a warning and an error counted for each, and the shard never
// read. The worker's own clients' request timeout (TimeoutError) now takes the same path, without its backoff.
// Expected: a read given up waits as any failed read does before it is sent again (at most a few a second).
// Severity: low (a misconfiguration or a slow network, but a request storm against GetRecords' 5/s per-shard limit,
// shared with any Lambda reading the stream, and a log flood).
// Fixed: shard-consumer.ts waits max(pollIntervalMs, 500 ms) (or less on stop) after a read given up, as after any
// failed GetRecords. Break-check: without the wait, ~hundreds of GetRecords in the 2 s (fails).
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { makeOps, quietLogger, tallies, workerTables, writeOps } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s38x: a readTimeoutMs shorter than the reads take', () => {
  it('gives reads up at a bounded rate, not in a tight loop', { timeout: 180_000 }, async () => {
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's38xstorm');
    await writeOps(clients.ddb, source, makeOps(3813, 5, 3));
    let reads = 0;
    // every GetRecords takes 50 ms before it goes out: longer than the 20 ms bound
    // and every DescribeStream 100 ms: the coordination requests are bounded by readTimeoutMs but never below 2 s
    // (coordinationTimeoutMs), so discovery still finds the shard (with the 20 ms bound itself, every listing was given
    // up and the start failed: session 40, a CI run at load 13)
    const slowReads = heldClient(clients.streams, async (command) => {
      const name = (command as object).constructor.name;
      if (name === 'DescribeStreamCommand') await new Promise((r) => setTimeout(r, 100));
      if (name !== 'GetRecordsCommand') return;
      reads += 1;
      await new Promise((r) => setTimeout(r, 50));
    });
    const logger = quietLogger();
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: slowReads,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's38x-storm',
      logger,
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 100,
      readTimeoutMs: 20,
    });
    try {
      await w.start();
      await expect.poll(() => reads, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
      const from = reads;
      const since = performance.now();
      await new Promise((r) => setTimeout(r, 2_000));
      // counted over the time that really passed (a loaded machine's timer fires late): a failed read waits
      // max(pollIntervalMs, 500 ms), about 2 a second; give-ups at once, about one per 20 ms bound: 50 a second.
      // Allowed: 5 a second (10 in 2 s)
      const seconds = (performance.now() - since) / 1000;
      expect(reads - from).toBeLessThanOrEqual(Math.floor(5 * Math.max(2, seconds)));
    } finally {
      await w.stop();
    }
  });
});
