// Review s27r (late records, commit 9d98e33): `lateRecords: 'dead-letter'` is set by the stream worker's built-in
// handler only. `dynotally worker` does not use that handler: it gives the worker `applier: directWriteSide(...)`
// (createVersionedWriteSide, with the configuration's applier options, directApplierOptions), whose appliers keep
// the default 'apply' (VersionedWriteSideOptions.apply did not even let it be set). So the case the CHANGELOG names,
// "read by a stream worker back after a day's outage", still counted twice through the CLI's worker.
// Scenario (as test/apply/late-records.int.test.ts, through the CLI worker's write side): a shard's batch applied,
// another shard's records three days later rewrite the same rows and prune the first shard's states, then the first
// shard's batch is delivered again. Expected: no cell moves, every record of the redelivered batch a RECORD_TOO_OLD
// letter. Observed before the fix: the redelivery adds the records again where the state was pruned (36 cells).
// Fixed in session 27: VersionedWriteSideOptions.apply takes lateRecords, and directApplierOptions sets
// 'dead-letter' in exactly-once mode (this test fails again with that line of directApplierOptions removed).
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { directApplierOptions } from '../../packages/dynotally-cli/src/cli/commands/worker-direct.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { DAY_MS, lateShards } from '../apply/late-shards.ts';
import { ORACLE } from '../apply/workload.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  isBookkeeping,
  memoryLogger,
  Pipeline,
  replay,
  scanTable,
} from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());
afterEach(() => {
  vi.useRealTimers();
});

it("the CLI worker's write side (createVersionedWriteSide with directApplierOptions) dead-letters a batch redelivered 3 days late", async () => {
  const pipeline = await Pipeline.create(clients, referenceRollups, 's27r-late-v');
  const { shard, old, young, oldAttr } = await lateShards(pipeline);
  const table = await pipeline.newAggregateTable('agg-s27r-late-v');
  const letters: DeadLetter[] = [];
  // the worker's handler over the CLI's write side (a fresh one per "process", as after a restart)
  const handler = () =>
    createStreamHandler({
      client: clients.ddb,
      logger: memoryLogger(),
      applier: createVersionedWriteSide({
        client: clients.ddb,
        table,
        rollups: pipeline.compiled,
        // pruning sampled on every write (the default samples 1 in 16), as in late-records.int.test.ts
        apply: {
          ...directApplierOptions({ mode: 'exactly-once', strategy: undefined, writeApi: undefined }),
          pruneSampleEvery: 1,
        },
      }),
      deadLetter: {
        send: async (batch) => {
          letters.push(...batch);
        },
      },
    });
  const ok = (responses: Array<{ batchItemFailures: unknown[] }>) => {
    for (const r of responses) expect(r.batchItemFailures).toEqual([]);
  };
  ok(await deliver(handler(), old, { batchSize: 100 }));
  expect(letters).toEqual([]);
  const rowKey = (r: Record<string, { S?: string }>) => `${r.pk?.S}|${r.sk?.S}`;
  const held = new Set(
    (await scanTable(clients.ddb, table)).filter((r) => r[oldAttr] !== undefined).map(rowKey),
  );
  expect(held.size).toBeGreaterThan(0);

  // three days later (this process's clock): the other shard writes the same rows and prunes the old states
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(Date.now() + 3 * DAY_MS);
  const later = handler();
  const quarter = Math.floor(young.records.length / 2);
  ok(await deliver(later, young, { to: quarter, batchSize: quarter }));
  ok(await deliver(later, young, { from: quarter, batchSize: 100 }));
  // rows the old shard wrote whose state of it is now pruned
  const rows = (await scanTable(clients.ddb, table)).filter((r) => !isBookkeeping(r));
  expect(rows.filter((r) => held.has(rowKey(r)) && r[oldAttr] === undefined).length).toBeGreaterThan(0);
  expect(letters).toEqual([]);

  // the old shard's batch comes again
  ok(await deliver(later, old, { batchSize: 100 }));
  const diff = diffCells(
    await pipeline.canonical(table),
    expectedCells(Object.values(ORACLE), replay([shard])),
  );
  expect(diff).toEqual([]);
  expect(letters.length).toBe(old.records.length);
  expect(new Set(letters.map((l) => l.code))).toEqual(new Set(['RECORD_TOO_OLD']));
});
