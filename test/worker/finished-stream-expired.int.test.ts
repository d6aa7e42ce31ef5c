// A finished stream's leases go with the lease table's TTL 7 days after they finished. A worker given `sourceTable`
// knows the table's newer stream is a continuation (read from its beginning, whatever `startingPosition` says) only by
// the older stream's leases in the lease table. So when the table's stream was disabled, read to its end, and enabled
// again while the workers were stopped, and they stayed stopped past those 7 days, a worker started with
// `startingPosition: 'LATEST'` met the new stream as a stream never read: every change written to it before the start
// (up to the 24 h it keeps) was skipped. The older stream's meeting item is kept for good, and now tells the worker
// the same as its leases did: the new stream is met from its beginning.
import { DeleteItemCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { amountOrder, followingWorker, sourceTables } from '../review/s23-source-table.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { actualCells, expectedCells, waitFor, writeOps } from './support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const counted = (aggregates: string, ops: Parameters<typeof expectedCells>[0]) =>
  expect
    .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 200 })
    .toEqual(expectedCells(ops));

describe("a table's next stream after the old stream's finished leases expired", () => {
  it('is still read from its beginning by a worker started at LATEST', { timeout: 300_000 }, async () => {
    const tables = await sourceTables(clients.ddb, 'fin-exp');
    const [a, b, c] = [amountOrder('a', 1), amountOrder('b', 10), amountOrder('c', 100)];
    const w1 = followingWorker(clients, tables, 'fin-exp-1', { startingPosition: 'LATEST' });
    let first: string | undefined;
    try {
      await w1.start();
      first = w1.stats().streamArn;
      await new Promise((r) => setTimeout(r, 1_000)); // its LATEST iterator opened
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates, [a]);
      // the stream disabled: w1 reads it to its end (every lease SHARD_END); nothing newer to follow yet
      await clients.ddb.send(
        new UpdateTableCommand({ TableName: tables.source, StreamSpecification: { StreamEnabled: false } }),
      );
      await waitFor('the old stream read to its end', async () => {
        const leases = (await scanTable(clients.ddb, tables.leases)).filter(
          (i) => i.kind?.S === 'shard' && i.stream?.S === first,
        );
        return leases.length > 0 && leases.every((l) => l.checkpoint?.S === 'SHARD_END') ? true : undefined;
      });
    } finally {
      await w1.stop();
    }

    // enabled again while no worker runs: a new stream, and a change on it
    await clients.ddb.send(
      new UpdateTableCommand({
        TableName: tables.source,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const latest = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn;
    expect(latest).not.toBe(first);
    await writeOps(clients.ddb, tables.source, [b]);

    // seven days on: the TTL has deleted the old stream's finished leases (done here by hand); its meeting stays
    const old = (await scanTable(clients.ddb, tables.leases)).filter((i) => i.stream?.S === first);
    expect(old.length).toBeGreaterThan(0);
    for (const item of old)
      await clients.ddb.send(
        new DeleteItemCommand({ TableName: tables.leases, Key: { pk: item.pk as { S: string } } }),
      );

    const w2 = followingWorker(clients, tables, 'fin-exp-2', { startingPosition: 'LATEST' });
    try {
      await w2.start();
      expect(w2.stats().streamArn).toBe(latest);
      await new Promise((r) => setTimeout(r, 1_500));
      await writeOps(clients.ddb, tables.source, [c]);
      // b was written to the new stream before w2 met it: a continuation of the old stream, read from its beginning
      await counted(tables.aggregates, [a, b, c]);
    } finally {
      await w2.stop();
    }
  });
});
