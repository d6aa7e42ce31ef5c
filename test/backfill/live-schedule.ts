// The schedule of the property of a backfill under a live stream (backfill-live.property.int.test.ts): step by
// step, one action chosen by weight among those possible at that moment: release a waiting DynamoDB request (or
// let one go and kill its process as it lands, or let them all race), write to the source, deliver a stream
// batch, start a backfill process, kill or stop one, kill the stream side's container in the middle of its
// batch. After `crashSteps` steps nothing is killed or stopped any more, and the schedule runs on, still
// interleaved, until every write is made, every backfill is complete and the whole stream is delivered.
import fc from 'fast-check';
import { LIVE_ROLLUPS } from './live-rollups.ts';
import type { LiveWorld } from './live-world.ts';

/** One step's draw: which action (by weight) and which target. */
export interface LiveStep {
  act: number;
  pick: number;
}

/** Steps drawn by fast-check from the run's seed (not shrunk). */
export const liveStepsArb: fc.Arbitrary<fc.Stream<LiveStep>> = fc.infiniteStream(
  fc.record({ act: fc.nat(999), pick: fc.nat(999) }),
  { noHistory: true },
);

/** Relative weights of the run's actions (a release of a waiting request weighs 50). */
export interface LiveWeights {
  write: number;
  deliver: number;
  crash: number;
}

export const liveWeightsArb: fc.Arbitrary<LiveWeights> = fc.record({
  write: fc.integer({ min: 1, max: 20 }),
  deliver: fc.integer({ min: 2, max: 30 }),
  crash: fc.integer({ min: 0, max: 4 }),
});

type Action =
  | 'release'
  | 'releaseKill'
  | 'releaseAll'
  | 'killAtStep'
  | 'write'
  | 'deliver'
  | 'start'
  | 'kill'
  | 'stop'
  | 'killStream';

/**
 * Runs the schedule to its end: crashes for the first `crashSteps` steps, then none until all is done.
 *
 * @example
 * ```ts
 * await runSchedule(world, steps, { write: 10, deliver: 10, crash: 3 }, 300);
 * ```
 */
export async function runSchedule(
  world: LiveWorld,
  steps: fc.Stream<LiveStep>,
  weights: LiveWeights,
  crashSteps: number,
): Promise<number> {
  const it = steps[Symbol.iterator]();
  for (let n = 0; ; n++) {
    if (n > 50_000) throw new Error(`the schedule does not end: ${world.state()}`);
    if (process.env.DEBUG_LIVE === '2' && n % 500 === 0)
      process.stderr.write(`step ${n}: ${world.state()}\n`);
    await world.settle();
    if (world.unexpected.length > 0) return n; // failed: the test reports it
    const { act, pick } = it.next().value as LiveStep;
    const crash = n < crashSteps ? weights.crash : 0;
    if (!(await step(world, act, pick, { ...weights, crash }))) return n;
  }
}

/** One step; false once nothing is left to do. */
async function step(world: LiveWorld, act: number, pick: number, weights: LiveWeights): Promise<boolean> {
  const { gate } = world;
  const waiting = gate.waiting.length;
  const running = world.running;
  const startable = LIVE_ROLLUPS.map((_, r) => r).filter(
    (r) => !world.complete.has(r) && running.filter((b) => b.rollup === r).length < 2,
  );
  if (world.lateWaiting && world.complete.size === LIVE_ROLLUPS.length && running.length === 0) {
    await world.openLate();
    return true;
  }
  const idle = !world.stream.busy && world.stream.pending > 0;
  const steps = gate.waiting.filter((w) => CHUNK_STEPS.has(world.phase(w)));
  const can: Array<[Action, number]> = [
    ['release', waiting > 0 ? 50 : 0],
    ['releaseKill', waiting > 0 ? weights.crash / 2 : 0],
    ['releaseAll', waiting > 1 ? 2 : 0],
    ['killAtStep', steps.length > 0 ? weights.crash * 3 : 0],
    ['write', world.writable > 0 ? weights.write : 0],
    ['deliver', idle ? weights.deliver : 0],
    ['start', startable.length > 0 ? (running.length === 0 ? 6 : weights.crash / 2) : 0],
    ['kill', running.length > 0 ? weights.crash / 2 : 0],
    ['stop', running.length > 0 ? weights.crash / 4 : 0],
    ['killStream', world.stream.busy ? weights.crash / 2 : 0],
  ];
  const total = can.reduce((n, [, w]) => n + w, 0);
  if (total === 0) {
    if (running.length > 0 || world.stream.busy) return true; // a process on a timer: settle waits for it
    return world.finished();
  }
  const action = weighted(can, (act / 1000) * total);
  switch (action) {
    case 'release':
      gate.release(pick % waiting);
      break;
    case 'releaseKill': {
      const w = gate.waiting[pick % waiting] as (typeof gate.waiting)[number];
      world.killAs(w, true);
      break;
    }
    case 'killAtStep': {
      // a chunk's write (CHUNK_STEPS): killed before it or as it lands
      world.killAs(steps[pick % steps.length] as (typeof steps)[number], pick % 2 === 0);
      break;
    }
    case 'releaseAll':
      world.log(`release all ${waiting}`);
      gate.releaseAll();
      break;
    case 'write':
      await world.write(pick);
      break;
    case 'deliver':
      world.stream.deliver(1 + (pick % 6), pick % 3 === 0 ? pick % 7 : 0);
      break;
    case 'start':
      world.startBackfill(startable[pick % startable.length] as number);
      break;
    case 'kill':
      world.killBackfill(running[pick % running.length] as (typeof running)[number], pick % 3 === 0);
      break;
    case 'stop':
      world.stopBackfill(running[pick % running.length] as (typeof running)[number]);
      break;
    case 'killStream':
      world.killStream(pick % 3 === 0);
      break;
  }
  return true;
}

/** The action whose share of the weights' line holds `at` (0 ≤ at < the weights' sum). */
function weighted(can: ReadonlyArray<[Action, number]>, at: number): Action | undefined {
  let left = at;
  for (const [action, w] of can) {
    if (w <= 0) continue;
    if (left < w) return action;
    left -= w;
  }
  return can.findLast(([, w]) => w > 0)?.[0];
}

/**
 * The steps of a chunk whose writes a crash can cut the chunk at: its segment's state slot (taken, recorded, freed),
 * its journal, its claims, the stamp before its rows, its rows, and its progress after them.
 */
const CHUNK_STEPS = new Set(['slot', 'journal', 'claims', 'applying', 'rows', 'after-rows']);
