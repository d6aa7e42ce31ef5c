// `runWorkerUntilIdle` alone (not shared) right after a cold start beside a crashed worker's presence: a presence seen
// for the first time counts as alive for one lease duration (the observer has not yet seen whether it moves), so the
// crashed worker keeps a fair share meanwhile, whose leases are free and which nobody takes. The run counted itself
// idle once its own share was caught up (no lease held by others, nothing of its share waiting) and stopped within a
// second, the crashed worker's share unread (s42k's left item). Alone, idle now also needs every ready shard in its
// hands (`leasesHeld >= readyShards`): it waits until the presence is judged gone, takes the shard over and reads it.
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assignShards,
  createStreamWorker,
  LeaseStore,
  runWorkerUntilIdle,
} from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  workerTables,
  writeOps,
} from './support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const LEASE_MS = 4_000;

/** Two worker ids by which `shardId` is the crashed worker's share (each pair an even chance; 64 pairs). */
function idsLeavingTheShardToTheCrashed(shardId: string): { worker: string; crashed: string } {
  for (let i = 0; i < 64; i++) {
    const worker = `s43i-w-${i}`;
    const crashed = `s43i-crashed-${i}`;
    if (assignShards([shardId], [worker, crashed]).get(shardId) === crashed) return { worker, crashed };
  }
  throw new Error(`no pair of worker ids leaves ${shardId} to the crashed worker`);
}

describe('runWorkerUntilIdle beside a crashed worker’s presence', () => {
  it('takes over and reads the crashed worker’s share before it counts as idle', {
    timeout: 120_000,
  }, async () => {
    const t = await workerTables(clients.ddb, 'phantomshare');
    const described = await clients.streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn }));
    const shardId = described.StreamDescription?.Shards?.[0]?.ShardId as string;
    const ids = idsLeavingTheShardToTheCrashed(shardId);
    // the crashed worker's last heartbeat: a presence, no lease (it crashed before taking one), never written again
    await new LeaseStore(
      clients.ddb,
      t.leases,
      t.streamArn,
      { workerId: ids.crashed, instance: 'c' },
      LEASE_MS,
    ).announce();
    const ops = makeOps(43, 40, 15, 'ph');
    await writeOps(clients.ddb, t.source, ops);
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: t.source,
      leaseTable: t.leases,
      table: t.aggregates,
      rollups: [tallies],
      workerId: ids.worker,
      logger: quietLogger(),
      leaseDurationMs: LEASE_MS,
      heartbeatMs: 500,
    });
    // generous: the presence is judged gone after one lease duration of this worker's watching, the shard then read
    const stats = await runWorkerUntilIdle(worker, { timeoutMs: 90_000 });
    expect({ taken: stats.leasesTaken, applied: stats.records > 0 }).toEqual({ taken: 1, applied: true });
    expect(await actualCells(clients.ddb, t.aggregates)).toEqual(expectedCells(ops));
  });
});
