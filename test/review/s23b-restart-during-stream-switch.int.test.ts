// Review s23b (stream worker, following the source table): the s23 fix lets a RUNNING worker given `sourceTable`
// read its old stream to the end before switching to the table's new stream. A worker that STARTS while the old
// stream still holds unread records (the usual case: the deploy that disables and enables the stream to change its
// view type also restarts the workers, or a worker was stopped for a while) never sees the old stream: start()
// resolves the table's LatestStreamArn (resolve-stream.ts), and the lease table's unfinished leases of the old stream,
// with their checkpoints, are ignored. Nothing is logged; the worker reports idle.
// Scenario: worker 1 (sourceTable) counts a0 and stops; a is written (old stream); the stream is disabled and
// enabled again; b is written (new stream); worker 2 (same sourceTable and lease table) starts.
// Observed: a is never counted (only a0 and b: amount 101), although the old stream still serves it for 24 hours and its lease
// (with worker 1's checkpoint) is in the lease table.
// Expected: a0, a and b counted: at start, a worker with sourceTable that finds unfinished leases of another stream
// of the same table reads that stream to its end first (as a running worker does), then switches.
// Suggested fix: record the table's current stream in the lease table (e.g. a per-table item naming the stream
// being read); at start resolve through it rather than LatestStreamArn, and move it forward only in switchStream.
// The new stream is then also met as `followed` (TRIM_HORIZON), instead of at the restarted worker's LATEST.
// Severity: data loss (silent; every change written to the old stream after the last checkpoint before the restart).
// Fixed in session 23: at start, a worker given sourceTable looks in the lease table for leases of the table's older
// streams (olderStreams) and reads the oldest one not read to its end first (if DynamoDB Streams still has it), then
// follows the table to its latest stream.
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAggregateTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import {
  actualCells,
  expectedCells,
  type Op,
  quietLogger,
  tallies,
  waitFor,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// amounts 1, 10, 100: the sum tells which orders were counted
const order = (id: string, amount: number): Op => ({
  kind: 'put',
  item: {
    id: { S: id },
    g: { S: 'g1' },
    t: { N: String(Date.now() - 3_600_000) },
    amount: { N: String(amount) },
  },
});

describe('s23b: a worker starting while the old stream still holds unread records', () => {
  it('reads the old stream to its end before the new one', { timeout: 600_000 }, async () => {
    await ddbReady();
    const source = uniqueTableName('s23b-rst-src');
    const aggregates = uniqueTableName('s23b-rst-agg');
    const leases = uniqueTableName('s23b-rst-lease');
    await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, aggregates),
      createLeaseTable(clients.ddb, leases),
    ]);
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
    await clients.ddb.send(
      new UpdateTableCommand({ TableName: source, StreamSpecification: { StreamEnabled: false } }),
    );
    await clients.ddb.send(
      new UpdateTableCommand({
        TableName: source,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
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
