import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Coalescer, Folder, foldBatch } from '../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../packages/dynotally/src/plan/index.ts';
import { MemoryStore } from './oracle/memory-store.ts';
import { oracle } from './oracle/oracle.ts';
import { cut, cutsArb, opsArb, ZONES } from './support/arbitraries.ts';
import { simulate } from './support/stream-sim.ts';
import { testRollups } from './support/test-rollups.ts';

describe('fold → coalesce → plan equals the brute-force oracle', () => {
  for (const zone of ZONES) {
    it(`in ${zone}, over random inserts, modifies, removes, identical re-writes and TTL deletes, in random batches`, () => {
      const { compiled, oracleRollups } = testRollups(zone);
      fc.assert(
        fc.property(opsArb(), cutsArb(60), (ops, cuts) => {
          const sim = simulate(ops);
          const store = new MemoryStore();
          const folder = new Folder(compiled);
          for (const batch of cut(sim.records, cuts)) {
            const { coalescer, poison } = foldBatch(compiled, batch, { folder });
            expect(poison).toEqual([]);
            const plan = planWrites(coalescer, { now: 0 });
            // the lower bound: each distinct row is written at most once, and never with nothing
            const keys = plan.rows.map((r) => `${r.pk}\u0000${r.sk}`);
            expect(new Set(keys).size).toBe(keys.length);
            for (const r of plan.rows) expect(r.adds.length).toBeGreaterThan(0);
            expect(plan.rows.length).toBeLessThanOrEqual(coalescer.size);
            store.apply(plan);
          }
          expect(store.canonical(compiled)).toEqual(
            oracle(oracleRollups, sim.finals, sim.retained, sim.history),
          );
        }),
        { numRuns: 150 },
      );
    });
  }

  it('one batch per record and one batch for everything give the same table', () => {
    const { compiled } = testRollups('Europe/London');
    fc.assert(
      fc.property(opsArb(6, 40), (ops) => {
        const sim = simulate(ops);
        const single = new MemoryStore();
        const folder = new Folder(compiled);
        for (const r of sim.records)
          single.apply(planWrites(foldBatch(compiled, [r], { folder }).coalescer, { now: 0 }));
        const whole = new MemoryStore();
        whole.apply(planWrites(foldBatch(compiled, sim.records).coalescer, { now: 0 }));
        expect(whole.canonical(compiled)).toEqual(single.canonical(compiled));
        expect(whole.writes).toBeLessThanOrEqual(single.writes);
      }),
      { numRuns: 100 },
    );
  });

  it('an identical re-write nets to zero and writes nothing', () => {
    const { compiled } = testRollups('UTC');
    const item = {
      g: { S: 'm1' },
      t: { N: String(Date.UTC(2026, 10, 22, 10)) },
      type: { S: 'order' },
      amount: { N: '5' },
    };
    const sim = simulate([
      { kind: 'put', key: 'r', item },
      { kind: 'put', key: 'r', item },
    ]);
    const co = new Coalescer();
    const folder = new Folder(compiled);
    const { changes } = foldBatch(compiled, sim.records.slice(1));
    for (const ch of changes) folder.fold(ch, co);
    const plan = planWrites(co, { now: 0 });
    expect(plan.rows).toEqual([]);
    expect(plan.extrema).toEqual([]);
  });
});
