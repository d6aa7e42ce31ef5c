// Review s23 (stream worker, shard discovery): a worker given `sourceTable` resolves the table's LatestStreamArn once, in
// start() (resolve-stream.ts), and never looks at the table again. When the table's stream is disabled and enabled
// again (to change its view type, as createSourceTable's own TABLE_SCHEMA_MISMATCH message tells the user to do, or by
// an infrastructure deploy), or the table is deleted and created again, DynamoDB gives it a new stream with a new ARN.
// The running worker keeps polling the old stream: it reads the old shard to its end (or finds it gone) and then
// reports itself caught up (`idle: true`, state 'running') while every change written to the new stream is counted by
// nobody. Nothing is logged above debug, `done` never settles, runWorkerUntilIdle returns as if all were counted.
// Scenario: one worker (sourceTable, discovery every second); item a is written and counted; the table's stream is
// disabled and enabled again (a new LatestStreamArn), or the table is deleted and created again; item b is written.
// Observed: after the worker has polled and re-described for several seconds, ALL counts 1 order (only a); the worker
// says idle, state running.
// Expected: b is counted (the worker follows the table to its new stream once the old one is read to its end, or at
// the least its discovery notices that the stream it reads is no longer the table's, disabled or gone, and stops with
// an error, `done` rejecting, so a supervisor restarts it on the new stream).
// Suggested fix: with `sourceTable`, let discovery (every discoveryIntervalMs, and when DescribeStream answers
// ResourceNotFoundException or StreamStatus DISABLED/DISABLING) DescribeTable the source; when LatestStreamArn changed,
// finish the old stream's shards, then switch (a LeaseStore on the new ARN, its shards from TRIM_HORIZON: the new
// stream holds only records written after it was enabled), or fail with WORKER_ERROR ("the source table's stream
// changed from … to …: restart the worker"). With `streamArn`, DISABLED after the shards ended is a WORKER_ERROR too.
// Severity: data loss (silent; every change after the re-enable until the worker restarts).
// Fixed in session 23: with sourceTable, each discovery looks at the table's latest stream; once the old stream is
// read to its end the worker switches to the new one and reads it from its beginning.
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createSourceTable, describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  actualCells,
  expectedCells,
  type Op,
  quietLogger,
  tallies,
  waitFor,
  writeOps,
} from '../worker/support.ts';
import { amountOrder, reenableStream, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const order = (id: string): Op => amountOrder(id);

/** Disables the table's stream and enables it again: a new stream, the old one closed. */
const reenable = (source: string): Promise<void> => reenableStream(clients.ddb, source);

/** Deletes the table and creates it again: a new stream, the old one gone with the table. */
async function recreate(source: string): Promise<void> {
  await clients.ddb.send(new DeleteTableCommand({ TableName: source }));
  await createSourceTable(clients.ddb, source, { id: 'S' });
}

describe('s23: the source table gets a new stream while a worker runs', () => {
  // LATEST applies to the stream the worker first met: the new stream is read from its beginning (b is written to
  // it before the worker switches)
  it.each([
    ['stream disabled and enabled', 'TRIM_HORIZON', reenable],
    ['stream disabled and enabled', 'LATEST', reenable],
    ['table deleted and created again', 'TRIM_HORIZON', recreate],
  ] as const)(
    'counts the changes written to the new stream (%s, %s)',
    {
      timeout: 600_000,
    },
    async (_what, startingPosition, renew) => {
      const { source, aggregates, leases } = await sourceTables(clients.ddb, 's23-reen');
      const worker = createStreamWorker({
        client: clients.ddb,
        streamsClient: clients.streams,
        sourceTable: source,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        workerId: 's23-reen',
        logger: quietLogger(),
        leaseDurationMs: 3_000,
        heartbeatMs: 500,
        pollIntervalMs: 100,
        discoveryIntervalMs: 1_000,
        startingPosition,
      });
      const a = order('a');
      const b = order('b');
      try {
        await worker.start();
        // caught up: its iterator is open (at LATEST, a change written before it would be history)
        await waitFor('the worker caught up', () => (worker.stats().idle ? true : undefined), 120_000);
        await writeOps(clients.ddb, source, [a]);
        await waitFor(
          'a counted',
          async () => ((await actualCells(clients.ddb, aggregates)).size > 0 ? true : undefined),
          120_000,
        );
        const before = (await describeTable(clients.ddb, source))?.LatestStreamArn;
        await renew(source);
        const after = (await describeTable(clients.ddb, source))?.LatestStreamArn;
        expect(after).toBeDefined();
        expect(after).not.toBe(before);
        await writeOps(clients.ddb, source, [b]);
        await expect
          .poll(() => actualCells(clients.ddb, aggregates), { timeout: 120_000, interval: 200 })
          .toEqual(expectedCells([a, b]));
        expect(worker.stats().streamArn).toBe(after);
      } finally {
        await worker.stop();
      }
    },
  );
});
