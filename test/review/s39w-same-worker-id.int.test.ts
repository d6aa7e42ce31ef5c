// What: every conditional write of a lease (renew, checkpoint, release, the LATEST pins) checks `owner = <workerId>`.
// Two workers started with the same `workerId` on one lease table (a copied configuration, `--worker-id` given twice)
// pass each other's conditions: once one's lease has run out (its heartbeat failed for a lease duration: throttling,
// a network blip, a stalled event loop) and the other has taken the shard, the first one's renewals succeed again on
// the other's lease, so both hold the shard and both read and apply its batches, for good.
// Here: worker A holds the table's shard; its renewals fail while its read is held (a proxy delays its GetRecords 8 s);
// B, with A's workerId, takes the lease once it has run out; then A's renewals go through again.
// Expected: only one of them holds the shard afterwards (A's renewal fails: the lease is B's).
// Severity: medium (two consumers of one shard: checkpoints of either, the write side's per-shard order broken; only
// with a duplicated workerId, which nothing refused or reported).
// Fixed: ownership includes a per-process instance token (`ownerInstance` on the lease, written by the take and checked
// by every holder's write; lease-expressions.ts `LeaseHolder`); a worker that sees its workerId's presence written by
// another live instance warns once. A worker restarted with the same id takes its old leases once they run out, as
// before.
// Break-check: with the holder's conditions on `owner` alone, A and B both hold the shard (fails).
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, localClientConfig } from '../../packages/dynotally/src/local/client-config.ts';
import { describeStreamShards } from '../../packages/dynotally/src/streams/index.ts';
import { createStreamWorker, LeaseStore } from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  waitFor,
  workerTables,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('s39w: two workers with one workerId', () => {
  it('never both hold one shard', { timeout: 300_000 }, async () => {
    const endpoint = await ddbReady();
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's39wsame');
    await writeOps(clients.ddb, source, makeOps(3902, 10, 5));
    const proxy = await startFaultProxy({ target: endpoint, counts: (op) => op === 'GetRecords' });
    const streamsA = new DynamoDBStreamsClient({
      endpoint: proxy.endpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // A's DynamoDB client: its renewals fail while `failRenewals` (a throttled heartbeat)
    const ddbA = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
    let failRenewals = false;
    ddbA.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (
          failRenewals &&
          context.commandName === UpdateItemCommand.name &&
          String(input.UpdateExpression).startsWith('SET #exp = :exp')
        )
          throw Object.assign(new Error('throttled (test)'), { name: 'ThrottlingException' });
        return next(args);
      },
      { step: 'initialize', name: 's39wFailRenewals' },
    );
    const options = {
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's39w-same',
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
      readTimeoutMs: 60_000,
    };
    const loggerA = quietLogger();
    const loggerB = quietLogger();
    const a = createStreamWorker({ ...options, client: ddbA, streamsClient: streamsA, logger: loggerA });
    const b = createStreamWorker({
      ...options,
      client: clients.ddb,
      streamsClient: clients.streams,
      logger: loggerB,
    });
    try {
      await a.start();
      await waitFor('A reading its shard', () =>
        a.stats().leasesHeld === 1 && proxy.requests > 1 ? true : undefined,
      );
      // A's next read is held 8 s, and its renewals fail meanwhile: its lease runs out
      proxy.setSchedule([{ after: 0, fault: { kind: 'delay', ms: 8_000 }, requests: 1 }]);
      failRenewals = true;
      await b.start();
      await waitFor('B holding the shard', () => (b.stats().leasesHeld === 1 ? true : undefined), 60_000);
      failRenewals = false;
      // A's read comes back (8 s after it was sent), its renewals go through again (or fail: the lease is B's)
      await waitFor(
        'A reading again, or giving the shard up',
        () => (proxy.requests > 1 || a.stats().leasesHeld === 0 ? true : undefined),
        60_000,
      );
      // A's next renewal is refused (the lease is B's instance's) and A lets the shard go: waited for, not slept on (a
      // loaded machine's heartbeat comes late); with a workerId alone A's renewals pass and it holds the shard for good
      await waitFor('A giving the shard up', () => (a.stats().leasesHeld === 0 ? true : undefined), 60_000);
      expect({ a: a.stats().leasesHeld, b: b.stats().leasesHeld }).toEqual({ a: 0, b: 1 });
      // and the duplicate is said
      const twin = (l: { message: string }) => l.message.includes('another process runs with this workerId');
      expect(loggerA.lines.some(twin) || loggerB.lines.some(twin)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await proxy.close();
      streamsA.destroy();
      ddbA.destroy();
    }
  });

  it('a worker restarted with the same workerId takes the lease its crashed predecessor held once it has run out', {
    timeout: 180_000,
  }, async () => {
    const { source, aggregates, leases, streamArn } = await workerTables(clients.ddb, 's39wrestart');
    const ops = makeOps(3903, 10, 5);
    await writeOps(clients.ddb, source, ops);
    // the predecessor: took the shard's lease and announced itself, then crashed (no release, no withdraw)
    const shardId = (await describeStreamShards(clients.streams, streamArn))[0]?.ShardId ?? '';
    const crashed = new LeaseStore(
      clients.ddb,
      leases,
      streamArn,
      { workerId: 's39w-restart', instance: 'crashed' },
      3_000,
    );
    await crashed.create({ shardId, startAt: 'TRIM_HORIZON' });
    const seen = (await crashed.scan()).leases.find((l) => l.shardId === shardId);
    if (seen === undefined || (await crashed.take(seen)) === undefined) throw new Error('no lease taken');
    await crashed.announce();
    const logger = quietLogger();
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's39w-restart',
      logger,
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
    });
    try {
      await w.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 250 })
        .toEqual(expectedCells(ops));
      expect(logger.lines.filter((l) => l.message.includes('another process'))).toEqual([]);
    } finally {
      await w.stop();
    }
  });
});
