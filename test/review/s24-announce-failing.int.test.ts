// Session 24 (noticed in session 23, stream worker, heartbeats): a heartbeat wrote the worker's presence item, then
// renewed its leases. When the presence write failed (throttled past its retries), the heartbeat ended there and the
// renewals were skipped. A worker whose presence writes kept failing let every lease it held run out: each shard
// stopped at the end of its lease and was taken again (by it or another worker), over and over, although the worker
// was alive and reading. Nothing was double counted (the lease fence stops a batch first); the shards stalled.
// Scenario: one worker holds the only shard; from then on every presence write is throttled; four lease durations
// pass.
// Observed before the fix: the lease ran out and was taken again (leasesTaken > 1).
// Fixed in session 24: presence and renewals are written side by side; a failed presence write no longer holds back
// the renewals.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { actualCells, expectedCells, quietLogger, waitFor, writeOps } from '../worker/support.ts';
import { amountOrder, followingWorker, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const LEASE_MS = 3_000;

describe('s24: a worker whose presence writes keep failing', () => {
  it('keeps renewing its leases', { timeout: 600_000 }, async () => {
    const tables = await sourceTables(clients.ddb, 's24-announce');
    let throttled = false;
    const client = heldClient(clients.ddb, async (command) => {
      if (!throttled || !(command instanceof PutItemCommand)) return;
      if (command.input.Item?.kind?.S !== 'worker') return;
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
        name: 'ProvisionedThroughputExceededException',
      });
    });
    const logger = quietLogger();
    const w = followingWorker({ ddb: client, streams: clients.streams }, tables, 's24-announce', {
      logger,
      leaseDurationMs: LEASE_MS,
    });
    const a = amountOrder('a', 1);
    const b = amountOrder('b', 10);
    try {
      await w.start();
      await writeOps(clients.ddb, tables.source, [a]);
      await waitFor('a counted', async () =>
        (await actualCells(clients.ddb, tables.aggregates)).size > 0 ? true : undefined,
      );
      expect(w.stats().leasesTaken).toBe(1);
      throttled = true;
      // four lease durations: without renewals the lease runs out at least once (a heartbeat's presence write gives
      // up after its retries, about 1.5 s)
      await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_MS));
      // the presence writes did fail, and were said to
      expect(logger.lines.some((l) => l.message.startsWith('heartbeat failed'))).toBe(true);
      expect(w.stats().leasesTaken).toBe(1);
      await writeOps(clients.ddb, tables.source, [b]);
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 120_000, interval: 200 })
        .toEqual(expectedCells([a, b]));
      expect(w.stats().leasesTaken).toBe(1);
    } finally {
      throttled = false;
      await w.stop();
    }
  });
});
