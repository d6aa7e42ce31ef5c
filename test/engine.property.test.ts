import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderBatch } from '../packages/dynotally/src/decode/index.ts';
import { GroupKeyCache } from '../packages/dynotally/src/fold/group-key-cache.ts';
import { Coalescer, Folder, foldBatch } from '../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../packages/dynotally/src/plan/index.ts';
import { MemoryStore } from './oracle/memory-store.ts';
import { oracle } from './oracle/oracle.ts';
import { cut, cutsArb, opsArb, wideItemArb, ZONES } from './support/arbitraries.ts';
import { simulate } from './support/stream-sim.ts';
import { testRollups } from './support/test-rollups.ts';

describe('fold → coalesce → plan equals the brute-force oracle', () => {
  for (const zone of ZONES) {
    it(`in ${zone}, over random inserts, modifies, removes, identical re-writes and TTL deletes, in random batches`, () => {
      const { compiled, oracleRollups } = testRollups(zone);
      fc.assert(
        fc.property(opsArb(8, 60, wideItemArb), cutsArb(60), (ops, cuts) => {
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

  it('a group number spelt several ways (1, 1.0, 1e0, 01) folds as one group: one write per row, same table', () => {
    // the fold interns each spelling as a leaf of its own; they must still meet in one row of the batch
    const { compiled } = testRollups('UTC');
    const spellings: Record<string, string[]> = {
      '1': ['1', '1.0', '1e0', '01'],
      '2': ['2', '2.00', '2e0', '02'],
      '1.5': ['1.5', '1.50', '15e-1', '01.5'],
    };
    const respell = (image: Record<string, AttributeValue> | undefined, c: number) => {
      const n = image?.g?.N;
      const options = n === undefined ? undefined : spellings[n];
      return options === undefined || image === undefined
        ? image
        : { ...image, g: { N: options[c % options.length] as string } };
    };
    fc.assert(
      fc.property(
        opsArb(8, 60, wideItemArb),
        cutsArb(60),
        fc.array(fc.nat(3), { minLength: 200, maxLength: 200 }),
        (ops, cuts, cs) => {
          const sim = simulate(ops);
          const spelt = sim.records.map((r, i) => ({
            ...r,
            dynamodb: {
              ...r.dynamodb,
              OldImage: respell(r.dynamodb?.OldImage, cs[i % cs.length] as number),
              NewImage: respell(r.dynamodb?.NewImage, cs[(i * 7 + 3) % cs.length] as number),
            },
          })) as typeof sim.records;
          const plain = new MemoryStore();
          const store = new MemoryStore();
          const folder = new Folder(compiled);
          const plainFolder = new Folder(compiled);
          const batches = cut(spelt, cuts);
          const plainBatches = cut(sim.records, cuts);
          batches.forEach((batch, b) => {
            const plan = planWrites(foldBatch(compiled, batch, { folder }).coalescer, { now: 0 });
            const keys = plan.rows.map((r) => `${r.pk}\u0000${r.sk}`);
            expect(new Set(keys).size).toBe(keys.length);
            store.apply(plan);
            plain.apply(
              planWrites(foldBatch(compiled, plainBatches[b] ?? [], { folder: plainFolder }).coalescer, {
                now: 0,
              }),
            );
          });
          expect(store.canonical(compiled)).toEqual(plain.canonical(compiled));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('group caches emptied at any record (tiny limits) change nothing: one write per row, same table', () => {
    const { compiled } = testRollups('Europe/London');
    fc.assert(
      fc.property(
        opsArb(8, 60, wideItemArb),
        cutsArb(60),
        fc.integer({ min: 1, max: 4 }),
        (ops, cuts, limit) => {
          const sim = simulate(ops);
          const folder = new Folder(compiled);
          const states = (folder as unknown as { states: { c: { name: string }; keys: GroupKeyCache }[] })
            .states;
          for (const st of states) st.keys = new GroupKeyCache(st.c.name, limit);
          const store = new MemoryStore();
          const plain = new MemoryStore();
          for (const batch of cut(sim.records, cuts)) {
            const plan = planWrites(foldBatch(compiled, batch, { folder }).coalescer, { now: 0 });
            const keys = plan.rows.map((r) => `${r.pk}\u0000${r.sk}`);
            expect(new Set(keys).size).toBe(keys.length);
            store.apply(plan);
            plain.apply(planWrites(foldBatch(compiled, batch).coalescer, { now: 0 }));
          }
          expect(store.canonical(compiled)).toEqual(plain.canonical(compiled));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('one batch per record and one batch for everything give the same table', () => {
    const { compiled } = testRollups('Europe/London');
    fc.assert(
      fc.property(opsArb(6, 40, wideItemArb), (ops) => {
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

  it('min, max and last take only the new images delivered, never an old image (a stream read from its middle)', () => {
    // A stream read from a later point (items older than the rollup, or a mapping started at LATEST) delivers
    // modifies and removes whose old images were never counted: the old side must offer them to no extremum
    // (an old image offered too would be a value the rollup never saw inserted).
    const extremum = (cells: Map<string, string>) =>
      new Map([...cells].filter(([k]) => /\|(lo|hi|latest)$/.test(k)));
    for (const zone of ['UTC', 'Asia/Kathmandu'] as const) {
      const { compiled, oracleRollups } = testRollups(zone);
      fc.assert(
        fc.property(opsArb(8, 60, wideItemArb), cutsArb(60), fc.nat(), (ops, cuts, skip) => {
          const sim = simulate(ops);
          const delivered = sim.records.slice(skip % sim.records.length);
          const store = new MemoryStore();
          const folder = new Folder(compiled);
          for (const batch of cut(delivered, cuts))
            store.apply(planWrites(foldBatch(compiled, batch, { folder }).coalescer, { now: 0 }));
          // an identical re-write is skipped whole (documented): its image offers nothing either
          const images = delivered.flatMap((r) => {
            const { NewImage, OldImage } = r.dynamodb ?? {};
            return NewImage && JSON.stringify(NewImage) !== JSON.stringify(OldImage) ? [NewImage] : [];
          });
          expect(extremum(store.canonical(compiled))).toEqual(
            extremum(oracle(oracleRollups, [], [], images as typeof sim.history)),
          );
        }),
        { numRuns: 100 },
      );
    }
  });

  it('batches delivered shuffled and with repeated records, put in order by orderBatch, equal the oracle', () => {
    // every write path orders its shard's batch with orderBatch before the fold: a record repeated in one
    // batch must count once (the stream redelivers; Lambda retries may hand a record over twice)
    const { compiled, oracleRollups } = testRollups('Europe/London');
    fc.assert(
      fc.property(
        opsArb(8, 60, wideItemArb),
        cutsArb(60),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        (ops, cuts, noise) => {
          const sim = simulate(ops);
          const store = new MemoryStore();
          const folder = new Folder(compiled);
          let k = 0;
          for (const batch of cut(sim.records, cuts)) {
            const shuffled = [...batch];
            for (let i = shuffled.length - 1; i > 0; i--) {
              const j = (noise[k++ % noise.length] as number) % (i + 1);
              [shuffled[i], shuffled[j]] = [shuffled[j] as DynamoDBRecord, shuffled[i] as DynamoDBRecord];
            }
            const repeats = (noise[k++ % noise.length] as number) % 4;
            for (let r = 0; r < repeats; r++)
              shuffled.splice((noise[k++ % noise.length] as number) % (shuffled.length + 1), 0, {
                ...(batch[(noise[k++ % noise.length] as number) % batch.length] as DynamoDBRecord),
              });
            const ordered = orderBatch(shuffled);
            expect(ordered).toHaveLength(batch.length);
            store.apply(planWrites(foldBatch(compiled, ordered, { folder }).coalescer, { now: 0 }));
          }
          expect(store.canonical(compiled)).toEqual(
            oracle(oracleRollups, sim.finals, sim.retained, sim.history),
          );
        },
      ),
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
