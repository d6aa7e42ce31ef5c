// Property: a backfill run while the stream side already counts the new changes, both crashing anywhere, ends
// exact. On DynamoDB Local, a random set of existing items is written to the source; the three rollups of
// live-rollups.ts (test/support/hostile-items.ts's two, and one keeping whole items in its claims, which spill for
// items nested 31 maps deep) are registered `building` (a new rollup over existing items); the stream side
// (createVersionedWriteSide in createStreamHandler, live-stream.ts) is attached at a random point of the stream
// (records before it are never delivered: written before the registration, they are the scan's; those after it are
// delivered late). Then a random schedule (live-schedule.ts, live-world.ts) interleaves, one DynamoDB request at a
// time (test/support/request-gate.ts): source writes, half of them aimed at the items a backfill process just read
// (or, after a kill, at the chunk it was cut in) — put, change one attribute, remove one, delete, put back as
// before, change twice (live-ops.ts); stream batches of any cut (delivered again from before the checkpoint, or
// after a container died in the middle of one); the requests of backfill processes of the rollups (random segments
// and chunk sizes) released in any order; processes killed before a request or as it lands (some kills aimed at a
// chunk's journal, claims, stamp, rows and progress writes), or with their requests still on the wire (they land
// later, after another process or container took over), stopped with their signal, resumed, and run twice at
// once. After `crashSteps` steps nothing is killed any more and the schedule runs on until the backfills are
// complete and the whole stream is delivered. With a claim margin of a second, the last writes wait until every
// backfill ended and the margin passed, so their records count without claims (records are stamped to the second,
// as the service stamps them: live-stream.ts). Every count and sum equals the oracle over the final source items,
// every max lies between the final items' and every state's (live-oracle.ts); every version is ready; no batch
// failed but in a killed container, no backfill failed but killed or stopped, nothing was dead-lettered.
// Runs: BACKFILL_LIVE_RUNS (default 6), seed BACKFILL_LIVE_SEED; DEBUG_LIVE=1 prints every run's schedule (2: as it
// goes). The totals of what the runs did (kills by step, claims by kind, records past the window) are printed.
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { readControl, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { Pipeline } from '../support/pipeline.ts';
import { countClaims, emptyCensus } from './claim-census.ts';
import { LiveWriter, liveItemArb, liveOpArb } from './live-ops.ts';
import { liveDrift } from './live-oracle.ts';
import { LIVE_ROLLUPS } from './live-rollups.ts';
import { liveStepsArb, liveWeightsArb, runSchedule } from './live-schedule.ts';
import { LiveWorld } from './live-world.ts';

vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const KEYS = 10;

const shapeArb = fc.record({
  segments: fc.integer({ min: 1, max: 3 }),
  chunkItems: fc.constantFrom(1, 2, 3, 3, 4, 4, 500),
  claimConcurrency: fc.integer({ min: 1, max: 4 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
});

const scenarioArb = fc.record({
  initial: fc.uniqueArray(fc.record({ key: fc.nat(KEYS - 1), item: liveItemArb }), {
    selector: (x) => x.key,
    minLength: 2,
    maxLength: 10,
  }),
  attach: fc.nat(20),
  ops: fc.array(liveOpArb(KEYS), { minLength: 10, maxLength: 50 }),
  steps: liveStepsArb,
  weights: liveWeightsArb,
  crashSteps: fc.integer({ min: 0, max: 600 }),
  shapes: fc.tuple(shapeArb, shapeArb, shapeArb),
  stream: fc.record({
    claimMarginMs: fc.constantFrom(1_000, undefined),
    api: fc.constantFrom('partiql' as const, 'update-item' as const),
  }),
  late: fc.nat(8),
});

describe('a backfill under the live stream, both crashing', () => {
  let runs = 0;
  const totals: Record<string, number> = {};
  const claims = emptyCensus();
  const killsAt: Record<string, number> = {};
  afterAll(() => console.log(JSON.stringify({ runs, ...totals, killsAt, claims })));
  it('ends with every count and sum equal to the final items, and every max within their bounds', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        runs++;
        const pipeline = await Pipeline.create(clients, [...LIVE_ROLLUPS], `bf-live-${runs}`);
        const claimTable = uniqueTableName('bf-live-claims');
        await createClaimTable(clients.ddb, claimTable);
        const writer = new LiveWriter(pipeline);
        const since = Date.now();
        for (const { key, item } of s.initial) await writer.apply({ kind: 'put', key, item });
        // the new rollups' deployment: registered building; the scans may start at once (settleMs 0)
        for (const rollup of LIVE_ROLLUPS)
          await registerVersions(clients.ddb, pipeline.aggregates, [rollup.compiled], {
            firstVersion: 'building',
          });
        // with a claim margin of a second, the last `late` writes wait until every backfill ended and the margin
        // passed: their records count without claims
        const late = s.stream.claimMarginMs === undefined ? 0 : Math.min(s.late, s.ops.length);
        const world = new LiveWorld(
          clients.ddb,
          pipeline,
          writer,
          claimTable,
          s.shapes,
          s.stream,
          s.ops,
          late,
        );
        world.log(`shapes ${JSON.stringify(s.shapes)} stream ${JSON.stringify(s.stream)}`);
        await world.attach(s.attach, since);
        const steps = await runSchedule(world, s.steps, s.weights, s.crashSteps).catch((e: unknown) => {
          console.log(`run ${runs}:\n${world.trace.join('\n')}`);
          throw e;
        });
        world.log(`${steps} steps`);
        const margin = s.stream.claimMarginMs ?? 300_000;
        const ends = await Promise.all(
          LIVE_ROLLUPS.map(async (r) => {
            const v = (await readControl(clients.ddb, pipeline.aggregates, r.name))?.versions[0];
            expect(v?.state).toBe('ready');
            return (v?.backfill?.endedAt ?? 0) + margin;
          }),
        );
        const afterWindow = world.stream.after(Math.max(...ends));
        const counted = { steps, ...world.stats, stamped: world.stream.stamped, afterWindow };
        for (const [k, v] of Object.entries(counted)) totals[k] = (totals[k] ?? 0) + v;
        for (const [k, v] of Object.entries(world.killsAt)) killsAt[k] = (killsAt[k] ?? 0) + v;
        await countClaims(clients.ddb, claimTable, claims);
        const finals = await scanTable(clients.ddb, pipeline.source);
        const drift = liveDrift(await pipeline.canonical(), finals as never, writer.states);
        const failed =
          drift.length > 0 || world.unexpected.length > 0 || world.stream.deadLetters().length > 0;
        if (failed || process.env.DEBUG_LIVE) {
          console.log(`run ${runs}:\n${world.trace.join('\n')}`);
          for (const img of finals) console.log(JSON.stringify(img));
        }
        expect(world.unexpected).toEqual([]);
        expect(world.stream.deadLetters()).toEqual([]);
        expect(drift).toEqual([]);
      }),
      {
        numRuns: Number(process.env.BACKFILL_LIVE_RUNS ?? 6),
        seed: Number(process.env.BACKFILL_LIVE_SEED ?? 27),
        endOnFailure: true,
      },
    );
    expect(runs).toBeGreaterThan(0);
  });
});
