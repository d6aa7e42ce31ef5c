// Review s19 (backfill beside the stream, items that cannot be counted): DESIGN.md's rule is that a record that
// cannot be counted "goes to the dead-letter sink with a stable code and a reason, and leaves no trace in any
// aggregate". An item the scan finds that cannot be counted leaves no trace, but nothing else either: runBackfill
// has no dead-letter sink (`apply` takes only concurrency and retry), and
// - an item whose value the fold refuses (a sum over a string amount: VALUE_INVALID for the stream) is taken for a
//   non-member (`foldBatch(...).coalescer.size === 0`) and reported in `progress.nonMembers`;
// - an item the store refuses when the chunk's rows are written (a sum past 38 significant digits:
//   NUMBER_UNREPRESENTABLE; a row past 400 KB: ITEM_TOO_LARGE) is claimed, reported in `progress.folded`, and
//   dropped: the Applier returns it as poison and runBackfill ignores what it returns but the write units.
// The version becomes ready, promotion makes it serve, and nothing names those items or their codes: the stream
// side would have dead-lettered the same records (replayable once the cause is fixed, e.g. once the sum is
// representable again), and a repair's rebuild drops them the same way. (`verify` of this version, tried by hand,
// throws "100000000000000000000.00000000000000000001 does not fit a DynamoDB number" instead of reporting.)
// Scenario: rollup `amt` (count and sum of `amount` per store), three items of store s: amount 1e20, amount
// 1e-20 (the two sum to 41 significant digits), amount 'abc' (a string).
// Observed: the backfill completes with progress { folded: 2, nonMembers: 1 }; the row holds n = 1, the
// 1e20 item refused silently (its scan claim stays); no dead letter anywhere.
// Expected: the backfill reports what it could not count, with its code (progress: folded 1, the bad-value item
// not a non-member), and sends both to a dead-letter sink as the stream side would.
// Fixed (session 19): runBackfill (and repairRollup, which passes its options on) takes `deadLetter`, the stream
// side's sink type; the CLI's `backfill` and `verify --repair` give it the configured dead-letter table. An item
// the fold refuses is not claimed and its letter is sent (with its code); the applier sends the store's refusals.
// Both are counted in `progress.uncountable` / `uncountableCodes` (printed by the CLI), never as folded or
// non-members. `verify` lists source items the fold refuses and rows whose recomputed sums pass 38 digits in
// `uncountable` (their cells unverified) instead of throwing. This was the review's it.fails.
// Suggested fix: give runBackfill (and repairRollup, `dynotally backfill` / `verify --repair`) a dead-letter sink
// (`deadLetter`, the stream side's table from the CLI), send the fold's poison (members whose values are refused)
// and the Applier's returned poison there as letters of a scan record (keys, image, code, reason), and count them
// in `progress` (e.g. `poison`) instead of `nonMembers` / `folded`; a letter of a scanned item then replays
// through its claim like a stream letter.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { verify } from '../../packages/dynotally/src/verify/index.ts';
import { amounts, T0 } from '../backfill/amount-orders.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('a backfill over items it cannot count', () => {
  it('reports them instead of calling them folded or non-members', async () => {
    const t = await buildingTables(
      clients.ddb,
      's19-uncountable',
      [
        { id: { S: 'a' }, storeId: { S: 's' }, t: { N: String(T0) }, amount: { N: '100000000000000000000' } },
        {
          id: { S: 'b' },
          storeId: { S: 's' },
          t: { N: String(T0) },
          amount: { N: '0.00000000000000000001' },
        },
        { id: { S: 'c' }, storeId: { S: 's' }, t: { N: String(T0) }, amount: { S: 'abc' } },
      ],
      amounts.compiled,
    );
    const letters = uniqueTableName('s19-uncountable-dlq');
    await createDeadLetterTable(clients.ddb, letters);
    const report = await runBackfill({
      ...t,
      client: clients.ddb,
      rollup: amounts,
      segments: 1,
      settleMs: 0,
      deadLetter: new DynamoDbDeadLetterSink(clients.ddb, letters),
    });
    expect(report.complete).toBe(true);
    // one item of the three is counted: the row holds it alone
    const row = (await scanTable(clients.ddb, t.table)).find((r) => r.pk?.S === 'amt#ss');
    expect(row?.n?.N).toBe('1');
    expect({ folded: report.progress.folded, nonMembers: report.progress.nonMembers }).toEqual({
      folded: 1,
      nonMembers: 0,
    });
    expect(report.progress.uncountable).toBe(2);
    expect(report.progress.uncountableCodes).toEqual({ VALUE_INVALID: 1, NUMBER_UNREPRESENTABLE: 1 });
    // both in the dead-letter store, with their codes and the items' keys (a replay goes through their claims)
    const stored = await listDeadLetters({ client: clients.ddb, table: letters });
    expect(stored.map((l) => [l.code, l.record?.dynamodb?.Keys?.id?.S, l.source, l.shardId]).sort()).toEqual([
      ['NUMBER_UNREPRESENTABLE', expect.stringMatching(/^[ab]$/), 'backfill:amt', 'bf-0/1'],
      ['VALUE_INVALID', 'c', 'backfill:amt', 'bf-0/1'],
    ]);
    // a replay would write them into every version (the serving one counted the item already) or be skipped by
    // the item's scan claim: refused, noted on the letter, nothing written
    const rowsBefore = await scanTable(clients.ddb, t.table);
    const replayed = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: letters,
      table: t.table,
      rollups: [amounts],
      claimTable: t.claimTable,
      all: true,
    });
    expect(replayed.map((r) => [r.outcome, r.reason?.startsWith('replay refused: a backfill')])).toEqual([
      ['failed', true],
      ['failed', true],
    ]);
    expect(await scanTable(clients.ddb, t.table)).toEqual(rowsBefore);
    // verify reports what it cannot count instead of throwing
    const checked = await verify({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      rollup: amounts,
      version: 1,
      passes: 1,
      settleMs: 0,
    });
    expect(checked.drift).toEqual([]);
    expect(checked.uncountable.map((u) => u.code).sort()).toEqual([
      'NUMBER_UNREPRESENTABLE',
      'VALUE_INVALID',
    ]);
  });
});
