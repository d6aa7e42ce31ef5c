// A shard consumer's ResourceNotFoundException from GetShardIterator or GetRecords is taken as "the shard is gone"
// only when it is confirmed: DescribeStream no longer lists the shard (trimmed), or the refusals have gone on for
// `streamGoneAfterMs` with no success between. One refusal of a shard its stream still lists (an endpoint's eventual
// consistency, a shard just created) used to mark it read to its end (SHARD_END): every change written to it since the
// last checkpoint, and after, was never counted by any worker.
// Break-check: with the consumer finishing at the first refusal (as before), the first case fails (a and b are not
// counted, the lease is SHARD_END) and the second finishes at once instead of after the grace.
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { LeaseStore, runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
import { isFinished } from '../../packages/dynotally/src/worker/lease.ts';
import { amountOrder, followingWorker, sourceTables } from '../review/s23-source-table.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { actualCells, expectedCells, waitFor, writeOps } from './support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const notFound = () =>
  Object.assign(new Error('Requested resource not found: Shard does not exist'), {
    name: 'ResourceNotFoundException',
  });

/** The same cells, whatever the order of the maps. */
const same = (x: Map<string, string>, y: Map<string, string>) =>
  JSON.stringify([...x].sort()) === JSON.stringify([...y].sort());

describe('a shard consumer refused with ResourceNotFoundException', () => {
  it('keeps a shard its stream still lists, and reads it once the refusals stop', {
    timeout: 300_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'shard-refused');
    const stream = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    const a = amountOrder('a', 1);
    const b = amountOrder('b', 10);
    await writeOps(clients.ddb, tables.source, [a]);
    // the first reads of the shard are refused (GetShardIterator, then GetRecords), DescribeStream lists it throughout
    let iteratorRefusals = 3;
    let recordsRefusals = 2;
    const refusing = heldClient(clients.streams, async (command) => {
      if (command instanceof GetShardIteratorCommand && iteratorRefusals > 0) {
        iteratorRefusals--;
        throw notFound();
      }
      if (command instanceof GetRecordsCommand && iteratorRefusals === 0 && recordsRefusals > 0) {
        recordsRefusals--;
        throw notFound();
      }
    });
    const w = followingWorker(clients, tables, 'shard-refused-1', { streamsClient: refusing });
    try {
      await w.start();
      await waitFor(
        'a counted',
        async () => ((await actualCells(clients.ddb, tables.aggregates)).size > 0 ? true : undefined),
        120_000,
      );
      await writeOps(clients.ddb, tables.source, [b]);
      await waitFor(
        'b counted',
        async () => {
          const cells = await actualCells(clients.ddb, tables.aggregates);
          return same(cells, expectedCells([a, b])) ? true : undefined;
        },
        120_000,
      );
    } finally {
      await w.stop();
    }
    expect(iteratorRefusals).toBe(0);
    expect(recordsRefusals).toBe(0);
    expect(await actualCells(clients.ddb, tables.aggregates)).toEqual(expectedCells([a, b]));
    const { leases } = await new LeaseStore(clients.ddb, tables.leases, stream, 'observer', 3_000).scan();
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.some(isFinished)).toBe(false);
  });

  it('takes a listed shard as gone once its refusals outlast streamGoneAfterMs', {
    timeout: 300_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'shard-refused-gone');
    const stream = (await describeTable(clients.ddb, tables.source))?.LatestStreamArn as string;
    // DescribeStream lists the shard, every read of it is refused: not blocked for ever, gone after the grace
    const refusing = heldClient(clients.streams, async (command) => {
      if (command instanceof GetShardIteratorCommand || command instanceof GetRecordsCommand)
        throw notFound();
    });
    const w = followingWorker(clients, tables, 'shard-refused-gone-1', {
      streamArn: stream,
      streamsClient: refusing,
      streamGoneAfterMs: 4_000,
    });
    const started = Date.now();
    await runWorkerUntilIdle(w, { timeoutMs: 120_000, quietMs: 1_000 });
    const { leases } = await new LeaseStore(clients.ddb, tables.leases, stream, 'observer', 3_000).scan();
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.every(isFinished)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
  });
});
