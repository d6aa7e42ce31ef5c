import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracle } from '../oracle/oracle.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import {
  type BufferEnv,
  canonicalOf,
  deliveriesArb,
  longOpsArb,
  MINUTE,
  scanItems,
  startBufferEnv,
} from './harness.ts';

// A generous budget: DynamoDB Local is shared with other suites on a small machine (no timing is asserted).
describe('Redis buffer: buffered apply, redelivery and flush equal the oracle', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  // Kathmandu also runs with wider buckets for coarse rows: a batch then writes several buckets, which close
  // (and are sealed, and redirected) at different times.
  const widths = {
    'Europe/London': undefined,
    'Asia/Kathmandu': { day: 2 * MINUTE, week: 3 * MINUTE, all: 3 * MINUTE },
  };
  for (const zone of ['Europe/London', 'Asia/Kathmandu'] as const) {
    it(`in ${zone}${widths[zone] ? ' (coarse rows in wider buckets)' : ''}: random workloads delivered with replays, flushed at random points; the merged view is exact before and after every flush`, async () => {
      const { rollups, compiled, oracleRollups } = testRollups(zone);
      const scenario = longOpsArb(8, 1, 3).chain((ops) => {
        const sim = simulate(ops);
        return fc.tuple(fc.constant(sim), deliveriesArb(sim.records.length), fc.constantFrom(0, 30 * MINUTE));
      });
      await fc.assert(
        fc.asyncProperty(scenario, async ([sim, deliveries, keepFlushedMs]) => {
          const { table, keyPrefix, clock, common } = await env.fixture(
            'rb-eo',
            rollups,
            Date.UTC(2026, 0, 10, 12, 0, 7),
          );
          const applier = createBufferedApplier({
            ...common,
            // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
            lateRecords: 'apply',
            rowBucketMs: widths[zone],
          });
          const flusher = createFlusher({ ...common, graceMs: 0, keepFlushedMs });
          const live = createRedisLiveSource(common);
          const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
          let flushedRows = 0;
          for (const d of deliveries) {
            clock.advance(d.advance * MINUTE);
            const { poison } = await applier.apply({
              records: sim.records.slice(d.from, d.to),
              shardId: 'shardId-0001',
            });
            expect(poison).toEqual([]);
            if (d.flush) flushedRows += (await flusher.flushClosed()).rowsWritten;
          }
          // before the last flush: DynamoDB rows merged with the live buckets
          const snapshot = await live.readAll();
          expect(canonicalOf(compiled, await scanItems(env.ddb, table), snapshot)).toEqual(expected);
          clock.advance(4 * MINUTE);
          const last = await flusher.flushClosed();
          expect(last.rowsAlreadyApplied).toBe(0);
          flushedRows += last.rowsWritten;
          expect(await env.redis.zcard(`${keyPrefix}open`)).toBe(0);
          const items = await scanItems(env.ddb, table);
          // after it: DynamoDB alone, and DynamoDB merged with what Redis still keeps for readers (skipped by markers)
          expect(canonicalOf(compiled, items)).toEqual(expected);
          expect(canonicalOf(compiled, items, await live.readAll())).toEqual(expected);
          // items still there are counted: those counters reach DynamoDB only by a flush (a workload whose items were
          // all deleted again leaves only min / max / last, which the applier writes itself)
          if (sim.finals.length > 0) expect(flushedRows).toBeGreaterThan(0);
        }),
        { numRuns: zone === 'Europe/London' ? 8 : 4 },
      );
    });
  }

  it('a redelivered batch changes nothing in Redis, and a batch overlapping the watermark adds only its new records', async () => {
    const { rollups, compiled, oracleRollups } = testRollups('UTC');
    const { table, common } = await env.fixture('rb-redeliver', rollups, Date.UTC(2026, 0, 10, 12, 0));
    const applier = createBufferedApplier({ ...common, lateRecords: 'apply' });
    const item = (g: string, amount: string) => ({
      g: { S: g },
      t: { N: String(Date.UTC(2026, 5, 1, 10)) },
      type: { S: 'order' },
      amount: { N: amount },
    });
    const sim = simulate([
      { kind: 'put', key: 'a', item: item('x', '1.10') },
      { kind: 'put', key: 'b', item: item('x', '2.20') },
      { kind: 'put', key: 'c', item: item('y', '3') },
      { kind: 'put', key: 'a', item: item('y', '4') },
    ]);
    const first = await applier.apply({ records: sim.records.slice(0, 3), shardId: 's-1' });
    expect(first.buffer).toMatchObject({ mode: 'redis', buckets: [Date.UTC(2026, 0, 10, 12, 1)] });
    const cellsAfterFirst = await createRedisLiveSource(common).readAll();
    // the same batch again, from a fresh applier (another Lambda container: no cached watermark)
    const again = await createBufferedApplier({ ...common, lateRecords: 'apply' }).apply({
      records: sim.records.slice(0, 3),
      shardId: 's-1',
    });
    expect(again.buffer.mode).toBe('skipped');
    expect(again.report.skipped).toBe(3);
    expect(canonicalOf(compiled, [], await createRedisLiveSource(common).readAll())).toEqual(
      canonicalOf(compiled, [], cellsAfterFirst),
    );
    // (min / max / last values went straight to DynamoDB; the counters are in Redis)
    // an overlapping batch (records 2..4) from a fresh applier: it reads the watermark and adds only record 4
    const overlap = await createBufferedApplier({ ...common, lateRecords: 'apply' }).apply({
      records: sim.records.slice(1),
      shardId: 's-1',
    });
    expect(overlap.buffer).toMatchObject({ mode: 'redis', replans: 0 });
    expect(overlap.report.skipped).toBe(2);
    const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
    expect(
      canonicalOf(compiled, await scanItems(env.ddb, table), await createRedisLiveSource(common).readAll()),
    ).toEqual(expected);
    // the first applier's cached watermark is stale now: the script refuses, the batch is re-planned, nothing doubles
    const stale = await applier.apply({ records: sim.records.slice(2), shardId: 's-1' });
    expect(stale.buffer).toMatchObject({ mode: 'skipped', replans: 1 });
    expect(
      canonicalOf(compiled, await scanItems(env.ddb, table), await createRedisLiveSource(common).readAll()),
    ).toEqual(expected);
  });

  it('keys expire: every buffer key but its id carries a TTL, and flushed buckets are removed', async () => {
    const { rollups, oracleRollups, compiled } = testRollups('UTC');
    const fx = await env.fixture('rb-ttl', rollups, Date.UTC(2026, 0, 10, 12, 0));
    const { table, keyPrefix, clock } = fx;
    const common = { ...fx.common, keyTtlMs: 2 * 86_400_000 }; // at least a bucket + 24 hours
    const sim = simulate([
      {
        kind: 'put',
        key: 'a',
        item: {
          g: { S: 'x' },
          t: { N: String(Date.UTC(2026, 5, 1)) },
          type: { S: 'order' },
          amount: { N: '5' },
        },
      },
      {
        kind: 'put',
        key: 'b',
        item: {
          g: { S: 'z' },
          t: { N: String(Date.UTC(2026, 5, 2)) },
          type: { S: 'view' },
          amount: { N: '7' },
        },
      },
    ]);
    await createBufferedApplier({ ...common, lateRecords: 'apply' }).apply({
      records: sim.records,
      shardId: 's-1',
    });
    const keys = await env.redis.keys(`${keyPrefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    // the buffer's id never expires: the table's owner item names it, and a buffer idle for a while is still itself
    expect(await env.redis.pttl(`${keyPrefix}id`)).toBe(-1);
    for (const k of keys.filter((k) => k !== `${keyPrefix}id`)) {
      const ttl = await env.redis.pttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual(2 * 86_400_000);
    }
    clock.advance(2 * MINUTE);
    const report = await createFlusher({ ...common, graceMs: 0, keepFlushedMs: 0 }).flushClosed();
    expect(report.buckets).toBe(1);
    const left = (await env.redis.keys(`${keyPrefix}*`)).sort();
    // only the seal, the shard's watermark state and the (empty-bucket) indexes may remain, all with a TTL
    expect(left.filter((k) => k.includes(':d:') || k.includes(':g:') || k.includes(':r:'))).toEqual([]);
    for (const k of left.filter((k) => k !== `${keyPrefix}id`))
      expect(await env.redis.pttl(k), k).toBeGreaterThan(0);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(
      oracle(oracleRollups, sim.finals, sim.retained, sim.history),
    );
  });
});
