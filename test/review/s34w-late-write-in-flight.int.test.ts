// Review s34w (stream consumption): the late-record guard (`lateRecords: 'dead-letter'`, the default of the Applier,
// the handler and the stream worker) decides once, when an apply call starts, that a record is young enough (at most
// 24 h 30 min) to be applied. Its margin against pruning assumes the call's writes then reach DynamoDB within 15
// minutes ("a write still in flight (a Lambda invocation lasts at most 15 minutes)", docs/ARCHITECTURE.md, *Pruning
// from the redelivery horizon*). Lambda enforces that; nothing else does. The stream worker's `applyTimeoutMs` may be
// anything up to 24.8 days or `Infinity` ("never take a write side's call as hung"), a call under throttling can
// run that long (review s23 sized one batch at over 15 minutes), and code that calls `Applier.apply` itself has no
// bound at all. A write that goes out 30 minutes to 2 hours after the check can meet a row from which another shard's
// write has pruned the record's state (at 25 h after the end of the state's stamp hour), and the record counts twice.
// Scenario: shard 'old' applied at T; at T + 24 h (records ~24 h old, on time) the same batch is delivered again
// (a retry of a mapping without a maximum record age, or a worker back after a day) and its writes are held, as a
// throttled call's are; at T + 26 h 15 min another shard writes the same rows, learning and pruning the old states
// (pruneSampleEvery 1); then the held writes go out.
// Observed: the redelivered records count a second time on every row whose state was pruned.
// Expected: nothing counts twice: a write sent past the margin is not sent (the call fails, and the retry finds the
// records late and dead-letters them as RECORD_TOO_OLD).
// Severity: low (a day-late redelivery, and a single apply call in flight over ~30 minutes: only with applyTimeoutMs
// raised well above its 5-minute default, or a custom runtime).
// Suggested fix: give every apply call a send deadline of (late check time + 15 min) on the applier's clock, enforced
// where `fencedClient` already refuses requests (a request past it fails the call as retryable, so the redelivery is
// judged late afresh); or refuse `applyTimeoutMs` over 15 minutes in exactly-once mode (CONFIG_INVALID) and document
// the bound for direct callers of `Applier.apply`.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it, vi } from 'vitest';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { lateShards } from '../apply/late-shards.ts';
import { ORACLE } from '../apply/workload.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient, signal } from '../support/held-client.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  isBookkeeping,
  Pipeline,
  replay,
  scanTable,
} from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const HOUR_MS = 3_600_000;
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

/** A request that changes the table (a PartiQL batch of only SELECTs reads). */
function writes(command: unknown): boolean {
  const name = (command as { constructor: { name: string } }).constructor.name;
  if (READS.has(name)) return false;
  const statements = (command as { input?: { Statements?: Array<{ Statement?: string }> } }).input
    ?.Statements;
  if (statements !== undefined) return !statements.every((s) => /^\s*SELECT/i.test(s.Statement ?? ''));
  return true;
}

it('a redelivery checked on time but written after another shard pruned its states counts nothing twice', async () => {
  const pipeline = await Pipeline.create(clients, referenceRollups, 's34w-flight');
  const { shard, old, young, oldAttr } = await lateShards(pipeline);
  const table = await pipeline.newAggregateTable('s34w-flight-agg');
  const t0 = Date.now();
  const clock = { t: t0 };
  const now = () => clock.t;
  const ok = (responses: Array<{ batchItemFailures: unknown[] }>) => {
    for (const r of responses) expect(r.batchItemFailures).toEqual([]);
  };
  ok(await deliver(pipeline.handler({ table, now }), old, { batchSize: old.records.length }));

  // a day later the old shard's batch comes again; its writes are held (a throttled, slow call)
  clock.t = t0 + 24 * HOUR_MS;
  const held = signal();
  const release = signal();
  const slow = heldClient(clients.ddb as DynamoDBClient, async (command) => {
    if (!writes(command)) return;
    held.resolve();
    await release.promise;
  });
  const redelivery = pipeline.handler({ table, now, client: slow });
  const first = deliver(redelivery, old, { batchSize: old.records.length });
  await held.promise;

  // meanwhile, 2 h 15 min later, another shard writes the same rows and prunes the old shard's states
  clock.t = t0 + 26 * HOUR_MS + 15 * 60_000;
  const other = pipeline.handler({ table, now, pruneSampleEvery: 1 });
  const part = Math.floor(young.records.length / 2);
  ok(await deliver(other, young, { to: part, batchSize: part }));
  ok(await deliver(other, young, { from: part, batchSize: 100 }));
  const rows = (await scanTable(clients.ddb, table)).filter((r) => !isBookkeeping(r));
  expect(rows.some((r) => r[oldAttr] === undefined)).toBe(true);

  // the held writes go out; a failed batch is delivered again, as Lambda (or the worker) would
  release.resolve();
  const answers = await first;
  if (answers.some((a) => a.batchItemFailures.length > 0))
    await deliver(pipeline.handler({ table, now }), old, { batchSize: old.records.length });

  const expected = expectedCells(Object.values(ORACLE), replay([shard]));
  expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
});
