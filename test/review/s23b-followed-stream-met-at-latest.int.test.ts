// Review s23b (stream worker, following the source table vs the meeting item): s23 reads a source table's new stream
// from its beginning once a running worker follows the table to it (`followed`: meetStream(…, 'TRIM_HORIZON')), "since
// it holds only changes made after it was enabled and none of them was read". But the meeting item is per stream and
// the first worker to meet the new stream decides it: a worker that STARTS after the re-enable (scale-out, a replaced
// task) resolves the table's LatestStreamArn, finds no lease for it, and records the meeting with its own configured
// LATEST. The running worker that follows later finds that meeting and obeys it (meetingStart → LATEST), so every
// change written to the new stream before the newcomer's GetShardIterator(LATEST) is counted by nobody, although the
// lease table shows the old stream of the same table was being read.
// Scenario: worker A (sourceTable, LATEST) counts a; the table's stream is disabled and enabled again; b is written
// (new stream); worker B (same options) starts before A has followed (A's DescribeTable of the source is held until
// B has started); A follows; c is written.
// Observed: a and c counted (amount 101), b never.
// Expected: a, b and c (the new stream of a table whose old stream the lease table knows is read from its beginning,
// whoever meets it first).
// Suggested fix: record the stream a table's workers read in the lease table (a per-table item, moved forward by
// switchStream); a worker that meets a stream of a table with such an item naming an older stream meets it as
// followed (TRIM_HORIZON), and reads the older stream to its end first (see s23b-restart-during-stream-switch).
// Severity: data loss (silent; the new stream's changes before the newcomer's start).
// Fixed in session 23: a worker that starts on a table whose lease table holds leases of an older stream of it meets
// the newer streams as continuations (from their beginning, whatever startingPosition says), so the meeting item it
// records agrees with the worker that follows.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { actualCells, expectedCells, quietLogger, tallies, waitFor, writeOps } from '../worker/support.ts';
import { amountOrder, reenableStream, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// amounts 1, 10, 100: the sum tells which orders were counted
const order = amountOrder;

describe('s23b: a newcomer meets the new stream before the running worker follows it', () => {
  it('the followed stream is still read from its beginning', { timeout: 600_000 }, async () => {
    const { source, aggregates, leases } = await sourceTables(clients.ddb, 's23b-fml');
    // A's following waits (after the re-enable) until B has started
    let reenabled = false;
    let bStarted: () => void = () => {};
    const bStart = new Promise<void>((r) => {
      bStarted = r;
    });
    const aClient = heldClient(clients.ddb, async (command) => {
      if (reenabled && command instanceof DescribeTableCommand && command.input.TableName === source)
        await bStart;
    });
    const make = (workerId: string, client = clients.ddb) =>
      createStreamWorker({
        client,
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
        startingPosition: 'LATEST',
      });
    const a = make('s23b-fml-a', aClient);
    const b = make('s23b-fml-b');
    const [oa, ob, oc] = [order('a', 1), order('b', 10), order('c', 100)];
    try {
      await a.start();
      await new Promise((r) => setTimeout(r, 1_000)); // A has opened its LATEST iterator
      await writeOps(clients.ddb, source, [oa]);
      await waitFor(
        'a counted',
        async () => ((await actualCells(clients.ddb, aggregates)).size > 0 ? true : undefined),
        120_000,
      );
      reenabled = true;
      await reenableStream(clients.ddb, source);
      const after = (await describeTable(clients.ddb, source))?.LatestStreamArn;
      await writeOps(clients.ddb, source, [ob]);
      await b.start();
      bStarted();
      await waitFor('A followed', async () => (a.stats().streamArn === after ? true : undefined), 120_000);
      await new Promise((r) => setTimeout(r, 1_500)); // the new stream's lease taken and opened
      await writeOps(clients.ddb, source, [oc]);
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 120_000, interval: 200 })
        .toEqual(expectedCells([oa, ob, oc]));
    } finally {
      bStarted();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
