// Row-watermark pruning on DynamoDB Local: once a shard's last record on a row is past the redelivery horizon
// (24 h retention + 1 h), the next write of that row by another shard drops its state attribute (conditioned on
// it being unchanged), and counts stay exact. Two shards are made by delivering the stream's halves under two shard ids.
// The applier learns a row's states by reading back the rows it sampled (BatchGetItem); a role refused that read
// learns them from sampled UpdateItems that return the old row instead, and prunes just the same.
import { afterAll, expect, it, vi } from 'vitest';
import { shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  isBookkeeping,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { mixedOps, ORACLE, run } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** A client of the suite's DynamoDB Local that refuses every BatchGetItem as a role without the action would. */
function readDeniedClient() {
  const denied = testClients();
  const attempts = { n: 0 };
  denied.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchGetItemCommand') return next(args);
      attempts.n++;
      throw Object.assign(new Error('User is not authorized to perform: dynamodb:BatchGetItem'), {
        name: 'AccessDeniedException',
        $fault: 'client',
      });
    },
    { step: 'initialize', name: 'denyBatchGetItem' },
  );
  return { denied, attempts };
}

it.each([{ reads: 'allowed' }, { reads: 'denied' }])(
  'drops a stale shard watermark on the next write of the row by another shard, and counts stay exact (read-back $reads)',
  async ({ reads }) => {
    const pipeline = await Pipeline.create(clients, referenceRollups, 'prune');
    await run(pipeline, mixedOps(81, 0.6));
    const [shard] = (await pipeline.readStream()) as [ShardStream];
    const n = shard.records.length;
    const half = Math.floor(n / 2);
    const old: ShardStream = { shardId: 'shardId-00000001-old', records: shard.records.slice(0, half) };
    const young: ShardStream = { shardId: 'shardId-00000002-new', records: shard.records.slice(half) };
    const oldAttr = shardStateAttrs(pipeline.streamArn, old.shardId).attr;
    const youngAttr = shardStateAttrs(pipeline.streamArn, young.shardId).attr;

    const table = await pipeline.newAggregateTable('agg-prune');
    const ok = (responses: Array<{ batchItemFailures: unknown[] }>) => {
      for (const r of responses) expect(r.batchItemFailures).toEqual([]);
    };
    ok(await deliver(pipeline.handler({ table }), old, { batchSize: 100 }));
    const key = (r: Record<string, { S?: string }>) => `${r.pk?.S}|${r.sk?.S}`;
    const heldOld = new Set(
      (await scanTable(clients.ddb, table)).filter((r) => r[oldAttr] !== undefined).map(key),
    );

    // three days later another shard writes the same rows: every write asks for the old row (sample 1 in 1)
    const refusing = reads === 'denied' ? readDeniedClient() : undefined;
    const later = pipeline.handler({
      table,
      now: () => Date.now() + 3 * 86_400_000,
      // the clock moved, not the records: this shard's records are new, not late (the handler's guard is on by default)
      lateRecords: 'apply',
      pruneSampleEvery: 1,
      ...(refusing === undefined ? {} : { client: refusing.denied.ddb }),
    });
    const quarter = Math.floor(young.records.length / 2);
    // learns which rows hold a stale watermark; a role refused the read-back learns nothing from its first batch
    // (half of this part) and from then on learns through sampled UpdateItems that return the old row
    if (refusing === undefined) ok(await deliver(later, young, { to: quarter, batchSize: quarter }));
    else {
      const eighth = Math.floor(quarter / 2);
      ok(await deliver(later, young, { to: eighth, batchSize: eighth }));
      ok(await deliver(later, young, { from: eighth, to: quarter, batchSize: quarter - eighth }));
    }
    ok(await deliver(later, young, { from: quarter, batchSize: 100 })); // the next writes of those rows prune
    // the shard whose watermark was pruned never comes back (it is past stream retention); the other's redelivery stays exact
    ok(await deliver(later, young, { batchSize: 70 }));

    const rows = (await scanTable(clients.ddb, table)).filter((r) => !isBookkeeping(r));
    const pruned = rows.filter((r) => heldOld.has(key(r)) && r[oldAttr] === undefined);
    expect(heldOld.size).toBeGreaterThan(0);
    expect(pruned.length).toBeGreaterThan(0);
    for (const r of pruned) expect(r[youngAttr]?.N).toMatch(/^\d+$/);
    expect(
      diffCells(await pipeline.canonical(table), expectedCells(Object.values(ORACLE), replay([shard]))),
    ).toEqual([]);
    if (refusing !== undefined) {
      expect(refusing.attempts.n).toBe(1); // refused once: the applier stops asking
      refusing.denied.destroy();
    }
  },
);
