// What: the exactly-once states a backfill leaves on a row that every segment writes (a coarse bucket with few
//   groups), now that state slot takes spread over the lowest free slots (ea65ef00, backfill/state-slots.ts). Such a
//   row keeps one state per distinct slot the build used (a later holder of a slot overwrites its state), so what
//   counts is how many distinct slots a fleet's takes use over the whole build, not how many are held at once.
// Expected: as docs/backfill.md ("Segments and row states") still says, "the rows stay under the state budget (2,048
//   bytes, about 80 states) and off the transaction path while fewer than about 80 segments are in flight in all":
//   20 processes × 3 segments in flight (60) leave at most 2,048 bytes of state on such a row.
// Observed (DynamoDB Local, 20 runBackfill processes, 300 segments strided over them by onlySegments, 3 in flight
//   each, 900 items of one store): 98 states, 2,352 bytes of state on the store's row; with ea65ef00^'s
//   state-slots.ts (the lowest free slot) 54 states, 1,296 bytes. StateSlots alone (each process freeing its oldest
//   segment and taking the next, 15 rounds) uses 104-105 distinct slots for 20 × 3, 83 for 10 × 6, 108 for 30 × 2,
//   83 for 8 × 8 — exactly 60 (64) with the lowest-free take. The spread window (segment mod 64 on a fresh build;
//   later 1 + 2 × the others' takes since the process's last, up to 64) keeps moving a fleet's takes to higher
//   slots, so the distinct slots grow to about in flight + 64 (the bound state-slots-spread.int.test.ts asserts),
//   not in flight + "a few". The stream's sampled writes then mark such rows transactional for good (about twice
//   the write units per write from then on). Only docs/backfill.md's 4 × 8 case (34-39 states) stays under.
// Severity: medium (a write-cost regression for rollups with rows every segment writes, for fleets of 20-80
//   segments in flight that were under the budget before, and a wrong doc claim; no count is wrong).
// Resolved (session 37, 99e729aa): the spread was reverted; takes go to the lowest free slot again, and this probe
//   passes (54 states, 1,296 bytes). It stays as the guard any cheaper take (review s36s's contention, still
//   it.fails) must pass too.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it, vi } from 'vitest';
import {
  DEFAULT_STATE_BUDGET_BYTES,
  stateBytesOf,
} from '../../packages/dynotally/src/apply/transactional-rows.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

it('60 segments in flight leave a row every segment writes within the state budget', async () => {
  const ITEMS = 900;
  const T0 = Date.UTC(2026, 11, 1);
  const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
    id: { S: `o-${i}` },
    storeId: { S: 's-0' },
    t: { N: String(T0 + i) },
  }));
  const t = await buildingTables(clients.ddb, 's37t-slot-states', items, storeCountRollup.compiled);
  const PROCESSES = 20;
  const SEGMENTS = 300;
  await Promise.all(
    Array.from({ length: PROCESSES }, (_, p) =>
      runBackfill({
        client: clients.ddb,
        source: t.source,
        table: t.table,
        claimTable: t.claimTable,
        rollup: storeCountRollup,
        segments: SEGMENTS,
        segmentConcurrency: 3,
        settleMs: 0,
        onlySegments: Array.from({ length: SEGMENTS / PROCESSES }, (_, i) => p + PROCESSES * i),
      }),
    ),
  );
  const row = (await scanTable(clients.ddb, t.table)).find((i) => i.pk?.S === 'store#ss-0');
  expect(row?.n?.N).toBe(String(ITEMS));
  expect(stateBytesOf(row ?? {})).toBeLessThanOrEqual(DEFAULT_STATE_BUDGET_BYTES);
});
