// Lease expiry judged on the observer's own clock (`LeaseSightings`, review s42w): a lease is expired once its counter
// has not moved for a lease duration of the taker's time, whatever `expiresAt` (the holder's clock) says.
// - A holder whose clock runs BEHIND the others by more than the lease duration writes an `expiresAt` that is past by
//   their clocks at once: a worker beside it must still leave it the lease it keeps renewing (before, it took the lease
//   at every cycle, and the holder took it back once that take's `expiresAt` had passed by its slow clock).
// - A holder that crashed (stopped renewing) still loses its lease after about one lease duration: no regression.
// - A holder configured with a longer lease duration (renewing less often than the observer's lease duration) keeps
//   its lease: the observer waits the holder's duration (`leaseMs`) when it is the longer.
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import type { ShardLease } from '../../packages/dynotally/src/worker/lease.ts';
import { LeaseStore } from '../../packages/dynotally/src/worker/lease-store.ts';
import { testClients } from '../support/ddb.ts';
import { quietLogger, tallies, waitFor, workerTables } from './support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const LEASE_MS = 4_000;

/** The tables, and the one shard's lease taken by `holder`, a lease store on a clock `skewMs` off. */
async function heldByStore(name: string, skewMs: number, durationMs = LEASE_MS) {
  const tables = await workerTables(clients.ddb, name);
  const described = await clients.streams.send(new DescribeStreamCommand({ StreamArn: tables.streamArn }));
  const shardId = described.StreamDescription?.Shards?.[0]?.ShardId as string;
  const holder = new LeaseStore(
    clients.ddb,
    tables.leases,
    tables.streamArn,
    { workerId: `${name}-holder`, instance: 'h' },
    durationMs,
    () => Date.now() + skewMs,
  );
  expect(await holder.create({ shardId, startAt: 'TRIM_HORIZON' })).toBe(true);
  const { leases } = await holder.scan();
  const taken = await holder.take(leases[0] as ShardLease);
  expect(taken?.owner).toBe(`${name}-holder`);
  return { ...tables, shardId, holder };
}

function worker(
  tables: { source: string; aggregates: string; leases: string },
  workerId: string,
  leaseDurationMs = LEASE_MS,
) {
  return createStreamWorker({
    client: clients.ddb,
    streamsClient: clients.streams,
    sourceTable: tables.source,
    leaseTable: tables.leases,
    table: tables.aggregates,
    rollups: [tallies],
    workerId,
    logger: quietLogger(),
    leaseDurationMs,
    heartbeatMs: 500,
  });
}

describe('lease expiry judged on the observer’s own clock', () => {
  it('leaves a holder whose clock is behind the lease it keeps renewing', { timeout: 60_000 }, async () => {
    const t = await heldByStore('skewbehind', -30_000);
    const w = worker(t, 'skewbehind-w');
    let renewing = true;
    let lost = 0;
    const renewals = (async () => {
      while (renewing) {
        if ((await t.holder.renew(t.shardId)) === undefined) lost += 1;
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    try {
      await w.start();
      await new Promise((r) => setTimeout(r, 3 * LEASE_MS)); // three lease durations of the worker's cycles
      expect({ held: w.stats().leasesHeld, taken: w.stats().leasesTaken, lost }).toEqual({
        held: 0,
        taken: 0,
        lost: 0,
      });
    } finally {
      renewing = false;
      await renewals;
      await w.stop();
    }
  });

  it('leaves a holder with a longer lease duration the lease it renews less often', {
    timeout: 60_000,
  }, async () => {
    const t = await heldByStore('longlease', 0, 3 * LEASE_MS);
    const w = worker(t, 'longlease-w');
    let renewing = true;
    let lost = 0;
    const renewals = (async () => {
      while (renewing) {
        await new Promise((r) => setTimeout(r, 1.25 * LEASE_MS)); // within its own lease, beyond the worker's
        if ((await t.holder.renew(t.shardId)) === undefined) lost += 1;
      }
    })();
    try {
      await w.start();
      await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
      expect({ held: w.stats().leasesHeld, taken: w.stats().leasesTaken, lost }).toEqual({
        held: 0,
        taken: 0,
        lost: 0,
      });
    } finally {
      renewing = false;
      await renewals;
      await w.stop();
    }
  });

  it('takes the lease of a crashed holder after about one lease duration', { timeout: 120_000 }, async () => {
    // a longer lease here, so that the slack a loaded machine needs (4 s) stays well under the lease duration: a take
    // after two lease durations (a regression) is 8 s late
    const lease = 2 * LEASE_MS;
    const t = await heldByStore('skewcrash', 0, lease);
    const crashedAt = performance.now(); // the holder's last write: it never renews again
    const w = worker(t, 'skewcrash-w', lease);
    try {
      await w.start();
      // the start's first cycle has seen the lease: the worker's lease duration runs from there, not from before its
      // start (a cold start at load 15 takes seconds of its own)
      const started = performance.now();
      await waitFor('the crashed lease taken', () => (w.stats().leasesHeld === 1 ? true : undefined), 60_000);
      const taken = performance.now();
      // never before its holder's own lease ran out; and within a few heartbeats of a lease duration of this worker's
      // first sight of it
      expect(taken - crashedAt).toBeGreaterThanOrEqual(lease);
      expect(taken - started).toBeLessThan(lease + 4_000);
    } finally {
      await w.stop();
    }
  });
});
