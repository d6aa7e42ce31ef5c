// Review s44v, guard (worker stop() during the start, lease-store.ts `interrupt`, review s44w): the stop-during-start
// signal ends the coordination's calls only (scans, takes, creates, the meeting, the presence). The calls a consumer
// makes for a lease it holds (renewal, checkpoint, the LATEST open, release) and the presence's removal are never
// ended by it, even with the signal already aborted: a stop that races the start's end (the signal aborted while a
// consumer of the first cycle checkpoints) cannot lose a checkpoint or leave a lease held.
// Break-check: with `update` passing `interruptible = true` for every write, the renewal, checkpoint and release reject
// with AbortError (fails).
import { afterAll, describe, expect, it } from 'vitest';
import { createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import { LeaseStore } from '../../packages/dynotally/src/worker/lease-store.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-12-08T00:00:00.000';
const HOLDER = { workerId: 'w1', instance: 's44v-instance' };

describe('review s44v: the stop-during-start signal spares a held lease’s writes', () => {
  it('renews, checkpoints and releases with the signal aborted; the coordination calls end', async () => {
    const table = uniqueTableName('s44v-int');
    await createLeaseTable(clients.ddb, table);
    const plain = new LeaseStore(clients.ddb, table, STREAM, HOLDER, 10_000, Date.now, 10_000);
    expect(await plain.create({ shardId: 'shardId-1', startAt: 'TRIM_HORIZON' })).toBe(true);
    const seen = (await plain.scan()).leases[0];
    if (seen === undefined) throw new Error('no lease');
    expect(await plain.take(seen)).toBeDefined();
    const stop = new AbortController();
    stop.abort(new DOMException('stopped', 'AbortError'));
    const stopped = new LeaseStore(
      clients.ddb,
      table,
      STREAM,
      HOLDER,
      10_000,
      Date.now,
      10_000,
      () => stop.signal,
    );
    await expect(stopped.scan()).rejects.toMatchObject({ name: 'AbortError' });
    await expect(stopped.announce()).rejects.toMatchObject({ name: 'AbortError' });
    expect(await stopped.renew('shardId-1')).toBeGreaterThan(0);
    expect(await stopped.checkpoint('shardId-1', '4200000000000000001')).toBe(true);
    expect(await stopped.release('shardId-1')).toBe(true);
    await stopped.withdraw();
    const lease = (await plain.scan()).leases[0];
    expect(lease?.checkpoint).toBe('4200000000000000001');
    expect(lease?.owner).toBeUndefined();
  });
});
