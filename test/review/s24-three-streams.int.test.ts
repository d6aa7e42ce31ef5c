// Session 24 (noticed in session 23, stream worker, following the source table): a worker given `sourceTable` followed
// the table from the stream it read to the table's *latest* stream. A stream between them was never read: the table's
// stream disabled and enabled twice while the worker was still reading the oldest one (a slow shard, a backlog), or
// while no worker ran (a deploy that re-enabled the stream twice). Every change written to the middle stream was lost,
// silently: the worker said it was caught up.
// Scenario 1: a running worker reads stream A; its reads are held while the stream is re-enabled twice (A → B → C),
// with order b written to B and c to C; then the reads go on.
// Scenario 2: a worker reads A and stops; the stream is re-enabled twice, b written to B and c to C; a worker starts.
// Observed before the fix: A's and C's orders counted, b never (sum 1 + 100 instead of 1 + 10 + 100).
// Fixed in session 24: the next stream is the oldest of the table's streams created after the one read
// (`ListStreams` by table name, `nextStreamAfter`), at each discovery and at start.
import { GetRecordsCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { actualCells, expectedCells, quietLogger, waitFor, writeOps } from '../worker/support.ts';
import { amountOrder, followingWorker, reenableStream, sourceTables } from './s23-source-table.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// amounts 1, 10, 100: the sum tells which orders were counted
const a = amountOrder('a', 1);
const b = amountOrder('b', 10);
const c = amountOrder('c', 100);

/** A worker on `source` (following it), reading through `streamsClient`. */
function worker(
  tables: { source: string; aggregates: string; leases: string },
  workerId: string,
  streamsClient = clients.streams,
  logger = quietLogger(),
) {
  return followingWorker(clients, tables, workerId, { streamsClient, logger });
}

/** Re-enables the stream twice, writing b to the middle stream and c to the last. */
async function twoNewStreams(source: string): Promise<string | undefined> {
  await reenableStream(clients.ddb, source);
  await writeOps(clients.ddb, source, [b]);
  await reenableStream(clients.ddb, source);
  await writeOps(clients.ddb, source, [c]);
  return (await describeTable(clients.ddb, source))?.LatestStreamArn;
}

const counted = (aggregates: string) =>
  waitFor(
    'a counted',
    async () => ((await actualCells(clients.ddb, aggregates)).size > 0 ? true : undefined),
    120_000,
  );

describe('s24: the source table gets two new streams before the worker follows', () => {
  it('a running worker reads the middle stream too', { timeout: 600_000 }, async () => {
    const tables = await sourceTables(clients.ddb, 's24-3s-run');
    let holding = false;
    let held: (() => void) | undefined;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // the worker's reads wait while `holding`: stream A cannot be read to its end before both new streams exist
    const streams = heldClient(clients.streams, async (command) => {
      if (!holding || !(command instanceof GetRecordsCommand)) return;
      held?.();
      await released;
    });
    const w = worker(tables, 's24-3s-run', streams);
    try {
      await w.start();
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates);
      // hold the reads, and wait until one is held (any read issued before has answered by then)
      const blocked = new Promise<void>((resolve) => {
        held = resolve;
      });
      holding = true;
      await blocked;
      const latest = await twoNewStreams(tables.source);
      release();
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 180_000, interval: 200 })
        .toEqual(expectedCells([a, b, c]));
      await waitFor('the worker on the latest stream', () =>
        w.stats().streamArn === latest ? true : undefined,
      );
    } finally {
      release();
      await w.stop();
    }
  });

  it('a worker started afterwards reads the middle stream too', { timeout: 600_000 }, async () => {
    const tables = await sourceTables(clients.ddb, 's24-3s-start');
    const w1 = worker(tables, 's24-3s-start-1');
    try {
      await w1.start();
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates);
    } finally {
      await w1.stop();
    }
    const latest = await twoNewStreams(tables.source);
    const w2 = worker(tables, 's24-3s-start-2');
    try {
      await w2.start();
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 180_000, interval: 200 })
        .toEqual(expectedCells([a, b, c]));
      await waitFor('the worker on the latest stream', () =>
        w2.stats().streamArn === latest ? true : undefined,
      );
    } finally {
      await w2.stop();
    }
  });

  it('a role without ListStreams still follows the table, to its latest stream, and says so', {
    timeout: 600_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 's24-3s-denied');
    const denied = heldClient(clients.streams, async (command) => {
      if (command instanceof ListStreamsCommand)
        throw Object.assign(new Error('not authorized to perform: dynamodb:ListStreams'), {
          name: 'AccessDeniedException',
        });
    });
    const logger = quietLogger();
    const w = worker(tables, 's24-3s-denied', denied, logger);
    try {
      await w.start();
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates);
      await reenableStream(clients.ddb, tables.source);
      await writeOps(clients.ddb, tables.source, [b]);
      await expect
        .poll(() => actualCells(clients.ddb, tables.aggregates), { timeout: 180_000, interval: 200 })
        .toEqual(expectedCells([a, b]));
      const warned = logger.lines.filter((l) => l.message.startsWith('ListStreams is denied'));
      expect(warned).toHaveLength(1);
    } finally {
      await w.stop();
    }
  });
});
