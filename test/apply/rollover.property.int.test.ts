// Exactly-once on a stream whose shards roll over, against the brute-force oracle on DynamoDB Local: random
// operations become records of one or more partitions (an item's records always in its partition, as in
// DynamoDB), each partition a lineage of short shards (dozens of shards in all), spread over days of
// approximate time. They are delivered window by window, partitions in a random order, in random batches that
// never span two shards, with random redeliveries of anything still inside the stream's 24 h retention, while
// every write asks for the old row (so stale states are learnt and pruned at the first chance).
//
// - States pruned by age only: redeliveries of any retained record, of any shard. The table equals the oracle.
// - States of finished ancestors dropped by every write (`finishedShards`): redeliveries only of shards still
//   being read (a parent is read to its end before its children, so a finished shard never redelivers). The
//   table equals the oracle.
// - One deterministic case: a redelivery in retention's last hour, after another shard wrote the same rows past a
//   horizon 3 h short of the default (the random runs seldom redeliver that late). It equals the oracle; with the
//   shorter horizon it counts twice.
// - Teeth: a horizon shorter than what is redelivered, or a "finished" shard that still redelivers, counts
//   twice: the same deliveries with pruning made too eager are seen to differ from the oracle.
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type RedeliveryOptions, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { oracle } from '../oracle/oracle.ts';
import { opsArb } from '../support/arbitraries.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells } from '../support/pipeline.ts';
import { type Op as SimOp, simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const HOUR = 3_600_000;
const RETENTION = 24 * HOUR;
// before every event time the arbitraries make, so no row is past its retention when written (the oracle keeps all)
const START = Date.UTC(2025, 0, 1);

/** How the stream is cut into shards, windows and batches, and what is delivered again. */
const deliveryArb = fc.record({
  /** Records per shard before it rolls over (cycled per partition): dozens of shards per run. */
  shardLengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
  /** Approximate time between two records: 30–90 minutes, so a run spans days. */
  stepMinutes: fc.integer({ min: 30, max: 90 }),
  /** Records are delivered window by window (the clock is the window's end). */
  windowHours: fc.integer({ min: 1, max: 6 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
  /** After each batch: redeliver a window of earlier records (when one may be redelivered). */
  again: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 7 }),
});

type Delivery = typeof deliveryArb extends fc.Arbitrary<infer T> ? T : never;

/** How states are pruned, and what the stream may redeliver. */
interface Model {
  partitions: number;
  /** Each batch names its shard's ancestors as finished (their states are dropped by its writes). */
  lineage: boolean;
  /** Finished shards redeliver too (never true of a real stream: the teeth of the lineage case). */
  redeliverFinished: boolean;
  redelivery?: RedeliveryOptions;
  /** A small state budget sends rows written by several shards to the per-shard transaction path. */
  stateBudgetBytes?: number;
  /** Batches alternate between this many appliers (processes that know nothing of each other's rows). */
  appliers?: number;
  api?: WriteApi;
}

/** Runs one delivery; returns the diff against the oracle (0 when exact) and the number of shards. */
async function runOnce(
  ops: Parameters<typeof simulate>[0],
  d: Delivery,
  model: Model,
): Promise<{ diff: number; shards: number; transactional: number }> {
  const { compiled, oracleRollups } = testRollups('UTC');
  const sim = simulate(ops);
  const n = sim.records.length;
  const at = sim.records.map((_, i) => START + i * d.stepMinutes * 60_000);
  const records: DynamoDBRecord[] = sim.records.map((r, i) => ({
    ...r,
    dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: Math.floor((at[i] as number) / 1000) },
  }));
  // an item's records are all in one partition; each partition is a lineage of shards g0, g1, …
  const partitionOf = records.map(
    (r) => Number((r.dynamodb?.Keys?.id?.S ?? 'k0').slice(1)) % model.partitions,
  );
  const shardOf: string[] = [];
  const genOf: number[] = [];
  const lineages: number[][] = Array.from({ length: model.partitions }, () => []);
  for (let i = 0; i < n; i++) lineages[partitionOf[i] as number]?.push(i);
  let shards = 0;
  lineages.forEach((idx, p) => {
    let k = 0;
    for (let j = 0; j < idx.length; k++) {
      const len = d.shardLengths[(k + p) % d.shardLengths.length] as number;
      for (let m = 0; m < len && j < idx.length; m++, j++) {
        shardOf[idx[j] as number] = `shardId-p${p}-g${String(k).padStart(3, '0')}`;
        genOf[idx[j] as number] = k;
      }
    }
    shards += k;
  });
  const ancestors = (i: number): string[] => {
    const out: string[] = [];
    for (let g = (genOf[i] as number) - 1; g >= 0; g--)
      out.push(`shardId-p${partitionOf[i]}-g${String(g).padStart(3, '0')}`);
    return out;
  };
  const table = uniqueTableName('rollover-prop');
  await createAggregateTable(clients.ddb, table);
  let clock = START;
  const appliers = Array.from(
    { length: model.appliers ?? 1 },
    () =>
      new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: compiled,
        now: () => clock,
        pruneSampleEvery: 1,
        ...(model.redelivery === undefined ? {} : { redelivery: model.redelivery }),
        ...(model.stateBudgetBytes === undefined ? {} : { stateBudgetBytes: model.stateBudgetBytes }),
        write: { api: model.api ?? 'update-item' },
      }),
  );
  let deliveries = 0;
  /** Delivers the records `idx` (ascending, all of one shard). */
  const deliver = async (idx: readonly number[]) => {
    const first = idx[0] as number;
    const applier = appliers[deliveries++ % appliers.length] as Applier;
    const { poison } = await applier.apply({
      records: idx.map((i) => records[i] as DynamoDBRecord),
      shardId: shardOf[first] as string,
      ...(model.lineage ? { finishedShards: ancestors(first) } : {}),
    });
    expect(poison).toEqual([]);
  };
  let pick = 0;
  const next = () => d.picks[pick++ % d.picks.length] as number;
  const delivered = new Array<boolean>(n).fill(false);
  /** Generation being read in each partition (its ancestors are finished). */
  const reading = new Array<number>(model.partitions).fill(0);
  const cursor = new Array<number>(model.partitions).fill(0);
  let batch = 0;
  const redeliverMaybe = async () => {
    if (!d.again[batch % d.again.length]) return;
    const candidates: number[] = [];
    for (let i = 0; i < n; i++)
      if (
        delivered[i] &&
        clock - (at[i] as number) < RETENTION &&
        (model.redeliverFinished || genOf[i] === reading[partitionOf[i] as number])
      )
        candidates.push(i);
    if (candidates.length === 0) return;
    // a run of the same shard's delivered, retained records, from a random one of them
    const from = candidates[next() % candidates.length] as number;
    const lineage = lineages[partitionOf[from] as number] ?? [];
    const run: number[] = [];
    const length = 1 + (next() % 4);
    for (let j = lineage.indexOf(from); j < lineage.length && run.length < length; j++) {
      const i = lineage[j] as number;
      if (!delivered[i] || shardOf[i] !== shardOf[from] || !candidates.includes(i)) break;
      run.push(i);
    }
    await deliver(run);
  };
  const windowMs = d.windowHours * HOUR;
  for (let end = START + windowMs; delivered.includes(false); end += windowMs) {
    clock = end;
    const turn = next();
    for (let j = 0; j < model.partitions; j++) {
      const p = (j + turn) % model.partitions;
      const lineage = lineages[p] ?? [];
      while (
        (cursor[p] as number) < lineage.length &&
        (at[lineage[cursor[p] as number] as number] as number) < end
      ) {
        const size = d.batchSizes[batch % d.batchSizes.length] as number;
        const shard = shardOf[lineage[cursor[p] as number] as number];
        const idx: number[] = [];
        while (
          idx.length < size &&
          (cursor[p] as number) < lineage.length &&
          shardOf[lineage[cursor[p] as number] as number] === shard &&
          (at[lineage[cursor[p] as number] as number] as number) < end
        )
          idx.push(lineage[(cursor[p] as number)++] as number);
        reading[p] = genOf[idx[0] as number] as number; // its parent was read to its end
        await deliver(idx);
        for (const i of idx) delivered[i] = true;
        await redeliverMaybe();
        batch++;
      }
    }
  }
  const stored = await scanTable(clients.ddb, table);
  const actual = canonicalCells(compiled, stored);
  const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
  let diff = 0;
  for (const key of new Set([...actual.keys(), ...expected.keys()]))
    if (actual.get(key) !== expected.get(key)) diff++;
  return { diff, shards, transactional: stored.filter((item) => item['~tx'] !== undefined).length };
}

const RUNS = Number(process.env.DYNOTALLY_ROLLOVER_RUNS ?? 3);

describe('row-watermark exactly-once over shard rollover, with pruning', () => {
  it('states pruned by age: equals the oracle whatever the cuts and redeliveries within retention', async () => {
    let shards = 0;
    await fc.assert(
      fc.asyncProperty(opsArb(6, 40), deliveryArb, async (ops, d) => {
        const r = await runOnce(ops, d, { partitions: 1, lineage: false, redeliverFinished: true });
        shards = Math.max(shards, r.shards);
        expect(r.diff).toBe(0);
      }),
      { numRuns: RUNS, endOnFailure: true, seed: 13 },
    );
    expect(shards).toBeGreaterThan(6);
  });

  it("finished ancestors' states dropped: equals the oracle over three partitions' lineages", async () => {
    let shards = 0;
    await fc.assert(
      fc.asyncProperty(opsArb(6, 40), deliveryArb, async (ops, d) => {
        const r = await runOnce(ops, d, { partitions: 3, lineage: true, redeliverFinished: false });
        shards = Math.max(shards, r.shards);
        expect(r.diff).toBe(0);
      }),
      { numRuns: RUNS, endOnFailure: true, seed: 31 },
    );
    expect(shards).toBeGreaterThan(6);
  });

  it('rows past the state budget go transactional (update-item, states pruned by age): equals the oracle', async () => {
    let transactional = 0;
    await fc.assert(
      fc.asyncProperty(opsArb(6, 40), deliveryArb, async (ops, d) => {
        const r = await runOnce(ops, d, {
          partitions: 1,
          lineage: false,
          redeliverFinished: true,
          stateBudgetBytes: 0,
          appliers: 2,
        });
        transactional += r.transactional;
        expect(r.diff).toBe(0);
      }),
      { numRuns: RUNS, endOnFailure: true, seed: 17 },
    );
    expect(transactional).toBeGreaterThan(0);
  });

  it('rows past the state budget go transactional (PartiQL, three lineages): equals the oracle', async () => {
    let transactional = 0;
    await fc.assert(
      fc.asyncProperty(opsArb(6, 40), deliveryArb, async (ops, d) => {
        const r = await runOnce(ops, d, {
          partitions: 3,
          lineage: true,
          redeliverFinished: false,
          stateBudgetBytes: 30,
          appliers: 2,
          api: 'partiql',
        });
        transactional += r.transactional;
        expect(r.diff).toBe(0);
      }),
      { numRuns: RUNS, endOnFailure: true, seed: 37 },
    );
    expect(transactional).toBeGreaterThan(0);
  });

  // The random runs seldom redeliver in the last hours of retention, so a horizon a few hours short passed them. Here
  // shard A's batch comes again 23 h 50 min after its records (inside the 24 h retention), after shard B wrote the
  // same rows 22 h 30 min after the end of A's records' hour: past a horizon 3 h short of the default 25 h, within
  // the default. B writes three times, so the first write learns A's state as stale and the next drops it.
  describe("a redelivery in retention's last hour, after another shard wrote the rows", () => {
    const MIN = 60_000;
    const put = (key: string, amount: string): SimOp => ({
      kind: 'put',
      key,
      item: {
        g: { S: 'a' },
        t: { N: String(Date.UTC(2026, 10, 22, 4, 30)) },
        type: { S: 'order' },
        amount: { N: amount },
      },
    });
    /** A's two records at START, B's three at START + 23 h 20 min; the diff against the oracle after A's redelivery. */
    const lastHour = async (redelivery?: RedeliveryOptions): Promise<number> => {
      const { compiled, oracleRollups } = testRollups('UTC');
      const sim = simulate([
        put('k0', '5'),
        put('k1', '7'),
        put('k2', '11'),
        put('k3', '13'),
        put('k4', '17'),
      ]);
      const stamped = (from: number, to: number, at: number) =>
        sim.records.slice(from, to).map((r) => ({
          ...r,
          dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: Math.floor(at / 1000) },
        }));
      const a = stamped(0, 2, START);
      const b = stamped(2, 5, START + 23 * HOUR + 20 * MIN);
      const table = uniqueTableName('rollover-last-hour');
      await createAggregateTable(clients.ddb, table);
      let clock = START;
      const applier = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: compiled,
        now: () => clock,
        pruneSampleEvery: 1,
        ...(redelivery === undefined ? {} : { redelivery }),
        write: { api: 'update-item' },
      });
      const deliver = async (records: DynamoDBRecord[], shardId: string) =>
        expect((await applier.apply({ records, shardId })).poison).toEqual([]);
      clock = START + 10 * MIN;
      await deliver(a, 'shardId-a');
      clock = START + 23 * HOUR + 30 * MIN;
      for (const r of b) await deliver([r], 'shardId-b');
      clock = START + 23 * HOUR + 50 * MIN;
      expect(clock - START).toBeLessThan(RETENTION);
      await deliver(a, 'shardId-a');
      const actual = canonicalCells(compiled, await scanTable(clients.ddb, table));
      const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
      let diff = 0;
      for (const key of new Set([...actual.keys(), ...expected.keys()]))
        if (actual.get(key) !== expected.get(key)) diff++;
      return diff;
    };

    it('the default horizon keeps the state: counted once', async () => {
      expect(await lastHour()).toBe(0);
    });

    it('a horizon 3 h shorter counts it twice (the case has teeth)', async () => {
      expect(await lastHour({ maxRecordAgeSeconds: 21 * 3600 })).toBeGreaterThan(0);
    });
  });

  /** Runs sampled deliveries, every batch followed by a redelivery, until one differs from the oracle. */
  const firstWrong = async (model: Model): Promise<number> => {
    const samples = fc.sample(fc.tuple(opsArb(6, 30), deliveryArb), { seed: 42, numRuns: 4 });
    for (const [i, [ops, d]] of samples.entries())
      if ((await runOnce(ops, { ...d, again: [true] }, model)).diff > 0) return i + 1;
    return 0;
  };

  it('counts twice with a horizon shorter than what is redelivered (the property has teeth)', async () => {
    // a mapping said to discard records after 60 s prunes states after 1 h; these deliveries go up to 24 h back
    const model = { partitions: 1, lineage: false, redeliverFinished: true };
    expect(await firstWrong({ ...model, redelivery: { maxRecordAgeSeconds: 60 } })).toBeGreaterThan(0);
  });

  it('counts twice with a horizon half the stream retention (the property has teeth)', async () => {
    // states pruned after 13 h (12 h + the margin) while these deliveries go up to 24 h back
    const model = { partitions: 1, lineage: false, redeliverFinished: true };
    expect(await firstWrong({ ...model, redelivery: { maxRecordAgeSeconds: 12 * 3600 } })).toBeGreaterThan(0);
  });

  it('counts twice when a shard named finished still redelivers (the property has teeth)', async () => {
    expect(await firstWrong({ partitions: 3, lineage: true, redeliverFinished: true })).toBeGreaterThan(0);
  });
});
