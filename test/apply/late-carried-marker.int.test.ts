// A late delivery (`lateRecords: 'dead-letter'`) settles a record an earlier delivery refused for 38 digits (its
// exclusion carried) while the record is less than 24 h 40 min old by its clock (`lateToSettle`; until review s35r
// it was the redelivery horizon, 25 h, and this test settled at 24 h 55 min with the other writer at 25 h 10 min by
// its clock, the window's old edge; a take-back also needs the row's shard state, pruned from 24 h 45 min on): it takes the record
// back from the rows it reached, each guarded by the take-back marker `x_…` that holds the record's time. A row the
// earlier delivery already took it back from must still hold that marker then, even where another writer whose
// clock runs ahead (here 15 minutes) writes the row meanwhile and prunes stale markers: markers are kept for the
// horizon plus its margin (`staleStatesOf`), not the horizon alone, so the record is never taken back twice. Before
// that margin, the other writer (at 25 h 10 min by its clock) dropped the marker, and the late settle took `b` back
// from kinds a second time (kinds 3, not 4); before late records were settled at all, `b` went to the dead letters
// as RECORD_TOO_OLD.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { amounts, kinds } from './digits-rollups.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function kindsRow(table: string) {
  const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'kinds#sk');
  if (row === undefined) throw new Error('no kinds row');
  return { n: row.n?.N, markers: Object.keys(row).filter((a) => /^x_[0-9a-f]{12}$/.test(a)).length };
}

describe('a late settle of a carried refusal, and a marker another writer could prune', () => {
  it('takes the record back from each row once: the marker outlives the horizon by its margin', async () => {
    const table = uniqueTableName('late-x-marker');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    let failLetters = 0;
    let now = T + HOUR;
    const applier = (shardId: string) => {
      const a = new Applier({
        client: clients.ddb,
        table,
        rollups: [amounts, kinds],
        write: { api: 'update-item' },
        now: () => now,
        pruneSampleEvery: 1,
        lateRecords: 'dead-letter',
        deadLetter: {
          send: async (l) => {
            if (failLetters-- > 0) throw new Error('injected: the dead-letter sink is down');
            letters.push(...l);
          },
        },
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
    // the shard a day behind: b (refused on amounts) and g, written 90 minutes after it, in one batch. b is taken
    // back from kinds (a marker there; the shard's state on kinds is g's), then the letter fails: the batch fails
    // with b's exclusion carried
    const batch = [insert('b', 'big', '1e-19'), insert('g', 'other', '1', T + 1.5 * HOUR)];
    now = T + 24 * HOUR + 20 * MINUTE;
    failLetters = 1;
    await expect(one(batch)).rejects.toThrow('injected');
    expect(await kindsRow(table)).toEqual({ n: '2', markers: 1 }); // a, g
    // another shard writes kinds, its clock 15 minutes ahead of shard-1's consumer: 24 h 50 min after b
    now = T + 24 * HOUR + 50 * MINUTE;
    const two = applier('shard-2');
    await two([insert('c', 'small', '1', now)]);
    await two([insert('d', 'small', '1', now)]);
    expect.soft(await kindsRow(table)).toEqual({ n: '4', markers: 1 }); // the marker stays
    // the batch again, 24 h 35 min after b by its consumer's clock: b is late, and settled (within 24 h 40 min)
    now = T + 24 * HOUR + 35 * MINUTE;
    await one(batch);
    expect(await kindsRow(table)).toEqual({ n: '4', markers: 1 }); // a, g, c, d: b taken back once
    expect(letters.map((l) => l.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
  });
});
