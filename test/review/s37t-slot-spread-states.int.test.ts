// What: the states a backfill leaves on a row that every segment writes (a coarse bucket with few groups), now that
//   state slot takes spread over the lowest free slots (ea65ef00, backfill/state-slots.ts). Such a row keeps one
//   state per distinct slot the build used (a later holder of a slot overwrites its state), so what counts is how
//   many distinct slots a fleet's takes use over the build, not how many are held at once.
// Expected: as docs/backfill.md ("Segments and row states") still says, "the rows stay under the state budget (2,048
//   bytes, about 80 states) and off the transaction path while fewer than about 80 segments are in flight in all":
//   a fleet of 60 segments in flight uses at most about 80 distinct slots (about 24 bytes a state: s34b measured 16
//   states in 384 bytes; 2,048 / 24 ≈ 85).
// Observed (DynamoDB Local, StateSlots alone, 20 processes × 3 segments in flight, strided segments, each process
//   freeing its oldest segment and taking the next, 15 rounds): 105 distinct slots (slots up to 118) where taking the
//   lowest (ea65ef00^) used exactly 60; 10 × 6: 83; 30 × 2: 108; 8 × 8 (64 in flight): 83 where 64 were. The spread
//   window (segment mod 64 on a fresh build; later 1 + 2 × the others' takes since the process's last, up to 64)
//   keeps moving the slots a fleet uses upward, so a realistic fleet well below 80 in flight pushes its every-segment
//   rows past 2,048 bytes of state: the stream then marks them transactional for good (about twice the write units
//   per write from then on). The docs' "4 processes × 8: 34–39" case stays under; the doc's 80-in-flight bound does not
//   hold any more (in flight + up to 64).
// Severity: medium (a write-cost regression for rollups with rows every segment writes, and a wrong doc claim; no
//   wrong count).
import { afterAll, expect, it, vi } from 'vitest';
import { StateSlots } from '../../packages/dynotally/src/backfill/state-slots.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** Distinct slots a fleet of `processes` × `inFlight` segments uses over `rounds` of finishing one and taking one. */
async function distinctSlots(processes: number, inFlight: number, rounds: number): Promise<number> {
  const table = uniqueTableName('s37t-slot-states');
  await createClaimTable(clients.ddb, table);
  const fleet = Array.from(
    { length: processes },
    () => new StateSlots(clients.ddb, table, 'store.v1', Date.now),
  );
  const used = new Set<number>();
  const running: number[][] = fleet.map(() => []);
  const take = async (p: number, segment: number) => {
    const got = await (fleet[p] as StateSlots).take(segment);
    if (got !== undefined) used.add(got.slot);
    (running[p] as number[]).push(segment);
  };
  // a fleet starting together: process p runs segments p, p + processes, … (onlySegments strided)
  await Promise.all(
    fleet.map(async (_, p) => {
      for (let i = 0; i < inFlight; i++) await take(p, p + processes * i);
    }),
  );
  for (let round = 0; round < rounds; round++) {
    const next = inFlight + round;
    await Promise.all(
      fleet.map(async (slots, p) => {
        await new Promise((r) => setTimeout(r, (p * 7) % 20)); // the processes' segments end at different times
        await slots.release((running[p] as number[]).shift() as number);
        await take(p, p + processes * next);
      }),
    );
  }
  return used.size;
}

it.fails('a fleet of 60 segments in flight leaves at most about 80 states on a row every segment writes', async () => {
  expect(await distinctSlots(20, 3, 15)).toBeLessThanOrEqual(80);
});
