import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Num, toDynamoN } from '../../packages/dynotally/src/numbers/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  FLUSH_MARKER_ATTR,
  type FlushStep,
  type LiveSnapshot,
} from '../../packages/dynotally/src/redis/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { oracle } from '../oracle/oracle.ts';
import { type Op, simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import {
  type BufferEnv,
  bufferAcrossBuckets,
  canonicalOf,
  longOpsArb,
  MINUTE,
  sampleWorkload,
  scanItems,
  startBufferEnv,
} from './harness.ts';

/** A snapshot that ignores flush markers: what a reader that merges naively would add. */
function ignoringMarkers(live: LiveSnapshot): LiveSnapshot {
  return {
    ...live,
    pending: (pk, sk) => live.pending(pk, sk, undefined),
    pendingByBucket: (pk, sk) => live.pendingByBucket(pk, sk, undefined),
  };
}

// A generous budget: DynamoDB Local is shared with other suites on a small machine (no timing is asserted).
describe('Redis buffer: reads during a flush count every bucket once', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const { rollups, compiled, oracleRollups } = testRollups('America/New_York');

  async function loaded(ops: Op[]) {
    const sim = simulate(ops);
    const { table, clock, common } = await env.fixture('rb-reads', rollups, Date.UTC(2026, 0, 10, 12, 0, 30));
    // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
    const applier = createBufferedApplier({ ...common, lateRecords: 'apply' });
    await bufferAcrossBuckets(applier, sim.records, 4, clock);
    return {
      sim,
      table,
      common,
      expected: oracle(oracleRollups, sim.finals, sim.retained, sim.history),
      live: createRedisLiveSource(common),
    };
  }

  it('at every step of a flush (row by row), Redis-then-DynamoDB reads equal the oracle; ignoring the markers would double count', async () => {
    await fc.assert(
      fc.asyncProperty(longOpsArb(8, 1, 2), fc.constantFrom(0, 10 * MINUTE), async (ops, keepFlushedMs) => {
        const { table, common, expected, live } = await loaded(ops);
        const steps: string[] = [];
        let doubleCounted = 0;
        let checks = 0;
        const check = async (s: FlushStep) => {
          if (s.step === 'row-written' && s.written % 3 !== 0) return;
          const snapshot = await live.readAll(); // first Redis …
          const items = await scanItems(env.ddb, table); // … then DynamoDB
          expect(canonicalOf(compiled, items, snapshot), `during ${JSON.stringify(s)}`).toEqual(expected);
          if (!sameCells(canonicalOf(compiled, items, ignoringMarkers(snapshot)), expected)) doubleCounted++;
          checks++;
          steps.push(s.step);
        };
        const report = await createFlusher({
          ...common,
          graceMs: 0,
          keepFlushedMs,
          concurrency: 3,
          onStep: check,
        }).flushClosed();
        expect(steps).toContain('sealed');
        if (report.rowsWritten > 0) {
          expect(steps).toContain('rows-written');
          // after the first row of a bucket is in DynamoDB, a reader ignoring markers counts it twice
          expect(doubleCounted).toBeGreaterThan(0);
        }
        expect(checks).toBeGreaterThan(0);
        expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(expected);
      }),
      { numRuns: 3 },
    );
  });

  it('leaderboard rows: stored lbv plus the live ranked delta equals the merged total at every step', async () => {
    const ops = sampleWorkload(11, 24);
    const { table, common, live } = await loaded(ops);
    let checked = 0;
    let step = 0;
    const check = async () => {
      if (step++ % 3 !== 0) return;
      // Redis first: every live cell, and the ranked deltas of every month row with live cells …
      const snapshot = await live.readAll();
      const liveMonths = new Set<string>();
      for (const pk of snapshot.pks())
        if (pk.startsWith('b-2#'))
          for (const sk of snapshot.sortKeys(pk)) if (sk.startsWith('M')) liveMonths.add(sk);
      const ranked = new Map<string, LiveSnapshot>();
      for (const sk of liveMonths) ranked.set(sk, await live.readRanked('b-2', sk));
      // … then DynamoDB
      const items = await scanItems(env.ddb, table);
      const rows = new Map<string, Record<string, AttributeValue>>();
      for (const i of items)
        if (i.pk?.S?.startsWith('b-2#') && i.sk?.S?.startsWith('M')) rows.set(`${i.pk.S}|${i.sk.S}`, i);
      for (const sk of liveMonths)
        for (const pk of ranked.get(sk)?.pks() ?? [])
          if (!rows.has(`${pk}|${sk}`)) rows.set(`${pk}|${sk}`, { pk: { S: pk }, sk: { S: sk } });
      for (const item of rows.values()) {
        const pk = item.pk?.S as string;
        const sk = item.sk?.S as string;
        const marker = item[FLUSH_MARKER_ATTR]?.S;
        const lbv = sum(item.lbv?.N, ranked.get(sk)?.pending(pk, sk, marker).get('lbv'));
        const total = sum(item.total?.N, snapshot.pending(pk, sk, marker).get('total'));
        expect(lbv, `${pk} ${sk}`).toBe(total);
        checked++;
      }
    };
    await createFlusher({ ...common, graceMs: 0, concurrency: 2, onStep: check }).flushClosed();
    expect(checked).toBeGreaterThan(0);
  });

  it('the snapshot must come first: a DynamoDB read taken before a bucket is flushed, merged with Redis read after it was dropped, misses it — unless flushed buckets are kept for readers', async () => {
    const ops = sampleWorkload(3, 20, 6);
    for (const keepFlushedMs of [0, 10 * MINUTE]) {
      const { table, common, expected, live } = await loaded(ops);
      let stale: Record<string, AttributeValue>[] | undefined;
      const outcomes: boolean[] = [];
      await createFlusher({
        ...common,
        graceMs: 0,
        keepFlushedMs,
        onStep: async (s) => {
          if (s.step === 'bucket-start') stale = await scanItems(env.ddb, table); // wrong order: DynamoDB first …
          if (s.step === 'bucket-done' && stale !== undefined) {
            const merged = canonicalOf(compiled, stale, await live.readAll()); // … Redis after the flush
            outcomes.push(sameCells(merged, expected));
          }
        },
      }).flushClosed();
      expect(outcomes.length).toBeGreaterThan(0);
      if (keepFlushedMs === 0) expect(outcomes).toContain(false);
      else expect(outcomes.every(Boolean)).toBe(true);
    }
  });
});

function sameCells(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function sum(stored: string | undefined, live: Num | undefined): string {
  return new Decimal(stored ?? 0).plus(live === undefined ? 0 : toDynamoN(live)).toString();
}
