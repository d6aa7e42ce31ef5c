// Fixed (session 39, helper s39v): the take and the SHARD_END checkpoint ask a failed condition for the lease
// (ReturnValuesOnConditionCheckFailure ALL_OLD, worker/lease-params.ts), and LeaseStore (lease-store.ts) takes a lease
// that shows its own write (`ownWriteApplied`: owner, instance token, counter seen + 1 and this write's updatedAt; a
// SHARD_END with this write's freeSince) for the answer the first copy would have had.
// Break-checks: ownWriteApplied answering false fails the first two cases (undefined / false, as before); without
// its updatedAt check the third fails (a stale take of its own lease taken as a new one).
// Review s39v (today's per-call bound of lease-table requests, worker/bounded-call.ts; and the SDK's own retries).
// Severity: low (a shard idle for one lease duration; a finished shard counted as a lost lease and its children
// discovered a discovery interval late; nothing lost or counted twice).
// What: a lease-table write whose reply is lost after DynamoDB applied it (a dropped connection, or since today a
// request given up after `leaseDurationMs` that had in fact been applied) is sent again, by the SDK's retry or by
// LeaseStore's (four attempts). A take or a SHARD_END checkpoint sent again fails its own condition (the first copy
// moved the counter, gave the lease up), and LeaseStore answers "not taken" / "taken over":
// - take: the lease is this process's (owner and instance token) for a lease duration, but the worker started no
//   consumer: its shard is read by nobody until the lease runs out and the worker takes it again;
// - SHARD_END: the consumer exits 'lost' (counted in leasesLost) for a shard it finished itself, and the worker
//   does not look for its children at once.
// Expected: LeaseStore tells its own applied write (the answer of the failed condition, ALL_OLD: owner and this
// process's instance token with the counter one past the one seen; a SHARD_END whose freeSince is this write's) and
// answers as the first copy did.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../packages/dynotally/src/local/client-config.ts';
import { createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { SHARD_END } from '../../packages/dynotally/src/worker/lease.ts';
import { LeaseStore } from '../../packages/dynotally/src/worker/lease-store.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-12-07T00:00:00.000';
const HOLDER = { workerId: 'w1', instance: 's39v-instance' };

async function setup(prefix: string) {
  const endpoint = await ddbReady();
  const table = uniqueTableName(prefix);
  await createLeaseTable(clients.ddb, table);
  const proxy = await startFaultProxy({ target: endpoint, counts: (op) => op === 'UpdateItem' });
  const ddb = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new LeaseStore(ddb, table, STREAM, HOLDER, 10_000, Date.now, 10_000);
  await store.create({ shardId: 'shardId-1', startAt: 'TRIM_HORIZON' });
  const seen = (await store.scan()).leases[0];
  if (seen === undefined) throw new Error('no lease');
  return {
    store,
    seen,
    proxy,
    close: async () => {
      await proxy.close();
      ddb.destroy();
    },
  };
}

describe('s39v: a lease write applied but its reply lost', () => {
  it('a take is this worker’s, not another’s', async () => {
    const { store, seen, proxy, close } = await setup('s39v-take');
    try {
      proxy.setSchedule([{ after: 0, fault: { kind: 'drop', holdMs: 20 }, requests: 1 }]);
      const taken = await store.take(seen);
      expect(proxy.injected.drop).toBe(1);
      const stored = (await store.scan()).leases[0];
      expect(stored?.owner).toBe('w1');
      expect(stored?.ownerInstance).toBe(HOLDER.instance);
      // the store's answer: the lease it holds
      expect(taken?.owner).toBe('w1');
      expect(taken?.counter).toBe(seen.counter + 1);
    } finally {
      await close();
    }
  });

  it('a SHARD_END checkpoint is the end, not a lost lease', async () => {
    const { store, seen, proxy, close } = await setup('s39v-end');
    try {
      expect(await store.take(seen)).toBeDefined();
      proxy.setSchedule([{ after: 0, fault: { kind: 'drop', holdMs: 20 }, requests: 1 }]);
      const held = await store.checkpoint('shardId-1', SHARD_END);
      expect(proxy.injected.drop).toBe(1);
      expect((await store.scan()).leases[0]?.checkpoint).toBe(SHARD_END);
      expect(held).toBe(true);
    } finally {
      await close();
    }
  });

  it('a take that failed its condition for a real reason stays refused', async () => {
    const { store, seen, close } = await setup('s39v-refused');
    try {
      expect(await store.take(seen)).toBeDefined();
      // another process with the same worker id, seeing the lease as it was
      const twin = new LeaseStore(
        clients.ddb,
        store.table,
        STREAM,
        { workerId: 'w1', instance: 'other' },
        10_000,
      );
      expect(await twin.take(seen)).toBeUndefined();
      // and this one, again with the old view, does not take its own lease for a new one
      expect(await store.take(seen)).toBeUndefined();
    } finally {
      await close();
    }
  });
});
