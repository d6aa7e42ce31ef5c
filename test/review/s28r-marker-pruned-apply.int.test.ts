// Review s28r, H2 (take-back markers pruned past the redelivery horizon): under `lateRecords: 'apply'` — then the
// Applier's own default, and so that of `createVersionedWriteSide` and of any Applier given to `createStreamHandler`
// as a ready write side — a refused record delivered again after its marker was pruned is taken back a second time
// from a row where its shard's state is newer than it.
//
// Mechanism. `b` (1e-19 after 1e20) is refused on its amounts row and taken back from the kinds row, which then
// carries the marker `x_…` holding b's stream time T. The shard goes on writing kinds (a record of another group),
// so its state there is fresh; another shard's writes 27 h after T drop the marker (staleStatesOf: past the horizon
// plus its margin, 26 h). A delivery of `b` 27 h after T is applied (`'apply'`): amounts refuses it again, and the
// take-back's conditions — the row holds the record (its state is at or past b) and the marker is absent — both
// hold, so kinds loses b a second time.
// Before markers were pruned this redelivery changed nothing (the marker stayed for ever: checked by disabling the
// pruning, when this test passes); then the other case went wrong instead (by reasoning: where the shard's state was
// pruned too, the delivery added b to kinds again and the marker kept it from being taken back). docs/ARCHITECTURE.md
// names the case ("under 'apply' … could take the record back a second time where the shard's state is newer");
// this test shows it. With `lateRecords: 'dead-letter'` (the handler's built-in, the worker's) such a delivery is
// a RECORD_TOO_OLD letter and nothing is taken back (the last case here).
//
// Fixed (helper-113) by the first suggestion: `'dead-letter'` is now the Applier's default (so the versioned write
// side's, and that of a ready Applier given to the handler), as it was already the handler's and the worker's:
// such a delivery is a RECORD_TOO_OLD letter and nothing is taken back. `'apply'` is left to backfills (which set
// it), the Redis buffered applier's direct path (its own `lateRecords` decides first) and tests feeding old stream
// times, which now say so. Under an explicit `'apply'` the double take-back remains, as docs/ARCHITECTURE.md says
// of late deliveries under `'apply'` (the last case here). The other suggestion (an exclusion's age keeping a
// pruned marker's record out of take-backs) cannot work here: the exclusion is cleared with the marker's horizon
// (b's entry goes once a batch of the shard is 25 h past it), and nothing else tells a row that gave b back long
// ago from one the delivery finds still holding it.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const HOUR = 3_600_000;

async function kindsRow(table: string) {
  const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'kinds#sk');
  if (row === undefined) throw new Error('no kinds row');
  return { n: row.n?.N, markers: Object.keys(row).filter((a) => /^x_[0-9a-f]{12}$/.test(a)).length };
}

async function scenario(lateRecords: 'apply' | 'dead-letter' | undefined) {
  const table = uniqueTableName('s28r-xapply');
  await createAggregateTable(clients.ddb, table);
  const letters: DeadLetter[] = [];
  let now = T + HOUR;
  const applier = (shardId: string) => {
    const a = new Applier({
      client: clients.ddb,
      table,
      rollups: [amounts, kinds],
      write: { api: 'update-item' },
      now: () => now,
      pruneSampleEvery: 1,
      deadLetter: { send: async (l) => void letters.push(...l) },
      ...(lateRecords === undefined ? {} : { lateRecords }),
    });
    return (records: DynamoDBRecord[]) => a.apply({ records, shardId });
  };
  const next = insertRecords();
  /** An INSERT written at stream time `at` (its event time stays T). */
  const insert = (id: string, g: string, amount: string, at = T): DynamoDBRecord => {
    const r = next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    return { ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: at / 1000 } };
  };

  const one = applier('shard-1');
  await one([insert('a', 'big', '1e20')]);
  const refused = [insert('b', 'big', '1e-19')];
  await one(refused); // b taken back from kinds: a marker there
  expect(await kindsRow(table)).toEqual({ n: '1', markers: 1 });
  // the shard goes on writing kinds (another group), 26 h 30 min later: its state there is fresh
  now = T + 26.5 * HOUR;
  await one([insert('g', 'other', '1', now)]);
  // another shard writes kinds 27 h after b: it reads the row, learns the marker is stale, and drops it
  now = T + 27 * HOUR;
  const two = applier('shard-2');
  await two([insert('c', 'small', '1', now)]);
  await two([insert('d', 'small', '1', now)]);
  expect(await kindsRow(table)).toEqual({ n: '4', markers: 0 }); // a, g, c, d
  // b delivered again, 27 h after it was written
  await one(refused);
  return { kinds: (await kindsRow(table)).n, codes: letters.map((l) => l.code) };
}

describe('review s28r: a pruned take-back marker and a late delivery', () => {
  it("the Applier's default ('dead-letter'): a RECORD_TOO_OLD letter, b not taken back from kinds again", async () => {
    expect(await scenario(undefined)).toEqual({
      kinds: '4',
      codes: ['NUMBER_UNREPRESENTABLE', 'RECORD_TOO_OLD'],
    });
  });

  it("lateRecords 'dead-letter', given: the same", async () => {
    expect(await scenario('dead-letter')).toEqual({
      kinds: '4',
      codes: ['NUMBER_UNREPRESENTABLE', 'RECORD_TOO_OLD'],
    });
  });

  // The limit left to an explicit 'apply' (see the header): why it is no longer the default.
  it("lateRecords 'apply', given: b is taken back from kinds a second time", async () => {
    expect(await scenario('apply')).toEqual({
      kinds: '3',
      codes: ['NUMBER_UNREPRESENTABLE', 'NUMBER_UNREPRESENTABLE'],
    });
  });
});
