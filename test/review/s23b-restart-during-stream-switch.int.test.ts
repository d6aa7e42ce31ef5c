import { afterAll, describe, expect, it } from 'vitest';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import { actualCells, expectedCells, quietLogger, tallies, waitFor, writeOps } from '../worker/support.ts';
import { amountOrder, reenableStream, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// amounts 1, 10, 100: the sum tells which orders were counted
const order = amountOrder;

describe('s23b: a worker starting while the old stream still holds unread records', () => {
  it('reads the old stream to its end before the new one', { timeout: 600_000 }, async () => {
    const { source, aggregates, leases } = await sourceTables(clients.ddb, 's23b-rst');
    const worker = (workerId: string) =>
      createStreamWorker({
        client: clients.ddb,
        streamsClient: clients.streams,
        sourceTable: source,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        workerId,
        logger: quietLogger(),
        leaseDurationMs: 3_000,
        heartbeatMs: 500,
        pollIntervalMs: 100,
        discoveryIntervalMs: 1_000,
      });
    const a0 = order('a0', 1);
    const a = order('a', 10);
    const b = order('b', 100);
    const w1 = worker('s23b-rst-1');
    try {
      await w1.start();
      await writeOps(clients.ddb, source, [a0]);
      await waitFor(
        'a0 counted',
        async () => ((await actualCells(clients.ddb, aggregates)).size > 0 ? true : undefined),
        120_000,
      );
    } finally {
      await w1.stop();
    }
    // written while no worker runs: the old stream holds it
    await writeOps(clients.ddb, source, [a]);
    await reenableStream(clients.ddb, source);
    await writeOps(clients.ddb, source, [b]);
    const w2 = worker('s23b-rst-2');
    try {
      await w2.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 120_000, interval: 200 })
        .toEqual(expectedCells([a0, a, b]));
    } finally {
      await w2.stop();
    }
  });
});
