import { afterAll, describe, expect, it } from 'vitest';
import { scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { FakeStream } from '../../../../test/worker/fake-stream.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  type Op,
  quietLogger,
  readLease,
  tallies,
  waitFor,
} from '../../../../test/worker/support.ts';
import { shardStateAttrs } from '../apply/shard-state.ts';
import { createAggregateTable, createLeaseTable } from '../tables/index.ts';
import { createStreamWorker, type StreamWorker } from './index.ts';
import { SHARD_END } from './lease.ts';

const clients = testClients();
afterAll(() => clients.destroy());

// Lineage of an item: A or B side of the key space, and within A, the A1 or A2→A3 half (as a split would).
const idNumber = (op: Op) => Number((op.kind === 'put' ? (op.item.id?.S ?? '') : op.id).split('-').pop());
const lineage = (op: Op) => (idNumber(op) % 2 === 0 ? 'A' : 'B');
const half = (op: Op) => (Math.floor(idNumber(op) / 2) % 2 === 0 ? 1 : 2);

describe('several workers share a multi-shard stream', () => {
  it('each shard is processed by one worker at a time, parents before children, no record twice, aggregates equal the oracle', async () => {
    const stream = new FakeStream();
    // A0 → A1 (open), A0 → A2 (closed) → A3 (open); B0 → B1 (open, rolls over to B2 later)
    for (const [id, parent] of [
      ['A0'],
      ['B0'],
      ['A1', 'A0'],
      ['A2', 'A0'],
      ['A3', 'A2'],
      ['B1', 'B0'],
    ] as const)
      stream.addShard(`shardId-${id}`, parent && `shardId-${parent}`);
    const route = (op: Op, generation: 0 | 1 | 2) => {
      if (lineage(op) === 'B') return generation === 0 ? 'shardId-B0' : 'shardId-B1';
      if (generation === 0) return 'shardId-A0';
      if (half(op) === 1) return 'shardId-A1';
      return generation === 1 ? 'shardId-A2' : 'shardId-A3';
    };
    const wave1 = makeOps(31, 72, 30, 'k');
    for (const [i, op] of wave1.entries()) stream.append(route(op, i < 24 ? 0 : i < 48 ? 1 : 2), op);
    for (const id of ['A0', 'B0', 'A2']) stream.close(`shardId-${id}`);

    const aggregates = uniqueTableName('wk-share-agg');
    const leases = uniqueTableName('wk-share-lease');
    await Promise.all([createAggregateTable(clients.ddb, aggregates), createLeaseTable(clients.ddb, leases)]);
    const workers: StreamWorker[] = ['w1', 'w2', 'w3'].map((workerId) =>
      createStreamWorker({
        client: clients.ddb,
        streamsClient: stream.client(),
        streamArn: stream.arn,
        leaseTable: leases,
        table: aggregates,
        rollups: [tallies],
        workerId,
        logger: quietLogger(),
        batchSize: 25,
        leaseDurationMs: 4_000,
        heartbeatMs: 400,
        pollIntervalMs: 100,
        discoveryIntervalMs: 60_000, // new shards must be found because a parent ended, not by polling
        pruneAncestorsAfterMs: 0, // no lease is lost here: children name their finished ancestors at once
      }),
    );
    try {
      await Promise.all(workers.map((w) => w.start()));
      const leaseOf = (shardId: string) => readLease(clients.ddb, leases, stream.arn, shardId);
      const caughtUp = async () => {
        for (const id of stream.shardIds) {
          const cp = (await leaseOf(id))?.checkpoint?.S;
          if (cp !== (stream.isClosed(id) ? SHARD_END : stream.lastSequence(id))) return undefined;
        }
        return true;
      };

      // The closed generations are read to their end, and the three open shards settle one per worker.
      await waitFor('one open shard per worker', async () => {
        for (const id of ['A0', 'B0', 'A2'])
          if ((await leaseOf(`shardId-${id}`))?.checkpoint?.S !== SHARD_END) return undefined;
        const held = workers.map((w) => w.stats().shards.map((s) => s.shardId));
        return held.every((h) => h.length === 1) && new Set(held.flat()).size === 3 ? true : undefined;
      });
      await waitFor('wave 1 applied', caughtUp);

      const wave2 = makeOps(32, 30, 30, 'k');
      for (const op of wave2) stream.append(route(op, 2), op);
      // Rollover: B1 closes and its child B2 appears; workers find B2 because B1 ended.
      const wave3 = makeOps(33, 30, 30, 'k').filter((op) => lineage(op) === 'B');
      for (const op of wave3.slice(0, 6)) stream.append('shardId-B1', op);
      stream.close('shardId-B1');
      stream.addShard('shardId-B2', 'shardId-B1');
      for (const op of wave3.slice(6)) stream.append('shardId-B2', op);
      await waitFor('waves 2 and 3 applied', caughtUp);
      // A checkpoint is in the lease table before its worker has read DynamoDB's answer and counted the batch in its
      // stats (the test's read of the lease can be answered first): wait for the counts, then compare them exactly.
      const counted = () => workers.reduce((n, w) => n + w.stats().records, 0);
      await waitFor('every batch counted', async () => (counted() >= stream.recordCount ? true : undefined));

      const stats = workers.map((w) => w.stats());
      const ops = [...wave1, ...wave2, ...wave3];
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
      // No record was processed twice: per-worker counts add up to the stream, and no row write was a replay.
      expect(stats.reduce((n, s) => n + s.records, 0)).toBe(stream.recordCount);
      expect(stats.reduce((n, s) => n + s.apply.rowsAlreadyApplied, 0)).toBe(0);
      for (const s of stats) expect(s.records, `${s.workerId} processed records`).toBeGreaterThan(0);
      // Parents before children: a child's first read comes after its parent's last (the one that ended it).
      const firstRead = (id: string) => stream.reads.findIndex((r) => r.shardId === id);
      const endRead = (id: string) => stream.reads.findIndex((r) => r.shardId === id && r.ended);
      for (const [child, parent] of [
        ['A1', 'A0'],
        ['A2', 'A0'],
        ['A3', 'A2'],
        ['B1', 'B0'],
        ['B2', 'B1'],
      ]) {
        expect(endRead(`shardId-${parent}`), `${parent} ended`).toBeGreaterThanOrEqual(0);
        expect(firstRead(`shardId-${child}`), `${child} after ${parent}`).toBeGreaterThan(
          endRead(`shardId-${parent}`),
        );
      }
      // A child's batches name its finished ancestors: no row a child wrote keeps an ancestor's state.
      const rows = await scanTable(clients.ddb, aggregates);
      const attr = (id: string) => shardStateAttrs(stream.arn, `shardId-${id}`).attr;
      let checked = 0;
      for (const [child, ancestors] of [
        ['A1', ['A0']],
        ['A3', ['A2', 'A0']],
        ['B1', ['B0']],
        ['B2', ['B1', 'B0']],
      ] as const) {
        const written = rows.filter((row) => attr(child) in row);
        expect(written.length, `rows ${child} wrote`).toBeGreaterThan(0);
        for (const row of written) {
          checked += 1;
          for (const a of ancestors) expect(attr(a) in row, `${child}'s row keeps ${a}'s state`).toBe(false);
        }
      }
      // and the check has something to find: rows written by a parent and not (yet) by its children keep it
      expect(rows.some((row) => attr('B1') in row || attr('A2') in row)).toBe(true);
      expect(checked).toBeGreaterThan(0);
      expect(stream.expiredIterators).toBeGreaterThan(0);
      expect(stream.pagedDescribeCalls).toBeGreaterThan(0);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    // A clean stop releases every lease.
    for (const id of stream.shardIds) {
      const lease = await readLease(clients.ddb, leases, stream.arn, id);
      expect(lease?.owner?.NULL, `${id} released`).toBe(true);
    }
  }, 150_000);
});
