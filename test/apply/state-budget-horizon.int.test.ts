// From the fourth adversarial review of the exclusions: an entry is cleared once its record's time is past the
// horizon behind the batch's newest ApproximateCreationDateTime. These inputs made that wrong before the stream's
// clock was taken only from plain second values no later than now, each counting a refused record in the row that
// refused it when the shard's records were read again (a worker restarting from its last checkpoint; a Lambda whose
// checkpoint was lost after a finished delivery):
// - the refused record had no ApproximateCreationDateTime (a hand-made / test event; the rollup takes its time
//   from the item): its entry is stored with `a: null`, decoded as 0, and the next batch with a real time clears it;
// - a later batch holds one record whose ApproximateCreationDateTime is far ahead (a test event in ms): the newest
//   time is not bounded by the clock (the comment says "never later than now"), so every entry is cleared.
// - a later record carries ApproximateCreationDateTime as a Date (decodeRecord accepts it): Math.max turns it into
//   epoch ms, so the same happens.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const amounts = allTimeRollup('amounts', 'g', true);
const kinds = allTimeRollup('kinds', 'kind', false);
/** A minute after the records (insertRecords stamps 1763800000): within the redelivery horizon. */
const NOW = 1_763_800_060_000;

function applierOn(
  client: DynamoDBClient,
  table: string,
  rollups: readonly RollupLike[],
  letters: DeadLetter[],
) {
  return new Applier({
    client,
    table,
    rollups,
    write: { api: 'update-item' },
    retry: { maxAttempts: 1 },
    now: () => NOW,
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
}

/** The record with another ApproximateCreationDateTime (undefined: none). */
function stamped(r: DynamoDBRecord, at: number | undefined): DynamoDBRecord {
  const dynamodb = { ...r.dynamodb };
  if (at === undefined) delete dynamodb.ApproximateCreationDateTime;
  else dynamodb.ApproximateCreationDateTime = at;
  return { ...r, dynamodb };
}

describe.each([
  ['control: both stamped normally', 1_763_800_000, 1_763_800_000],
  ['the refused record has no ApproximateCreationDateTime', undefined, 1_763_800_000],
  ['a later record is stamped far ahead (ms)', 1_763_800_000, 1_763_800_000_000],
  [
    'a later record carries a Date (the streams SDK shape decodeRecord accepts): Math.max makes it ms',
    1_763_800_000,
    new Date(1_763_800_000_000) as unknown as number,
  ],
])('an exclusion entry kept while it may be needed: %s', (_name, dAt, eAt) => {
  it('a re-read of the shard leaves the refused record out of the row that refused it', async () => {
    // a (1e20) in amounts#sbig. [d] (1e-19): amounts#sbig refuses d (40 digits), entry recorded, d taken back from
    // kinds#sk and dead-lettered. shard-2 brings amounts#sbig to 0. shard-1's next batch [e] (another group)
    // clears d's entry. The shard is read again from before d: [d, e] finds no entry, folds d, and amounts#sbig
    // (its shard-1 state still at a) takes it. kinds#sk skips d and e (its state is past both).
    const table = uniqueTableName('review4-horizon');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    const p1 = applierOn(clients.ddb, table, [amounts, kinds], letters);
    await p1.apply({ records: [insert('a', 'big', '1e20')], shardId: 'shard-1' });
    const d = stamped(insert('d', 'big', '1e-19'), dAt);
    const first = await p1.apply({ records: [d], shardId: 'shard-1' });
    expect(first.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    const p2 = applierOn(clients.ddb, table, [amounts, kinds], letters);
    await p2.apply({ records: [insert('y', 'big', '-1e20')], shardId: 'shard-2' });
    const e = stamped(insert('e', 'other', '1'), eAt);
    await p1.apply({ records: [e], shardId: 'shard-1' });
    // the shard read again from the checkpoint before d, by a new process
    const fresh = applierOn(clients.ddb, table, [amounts, kinds], letters);
    await fresh.apply({ records: [d, e], shardId: 'shard-1' });
    const c = await counterCells(clients.ddb, table);
    // d dead-lettered and in no row: amounts#sbig holds a and y, kinds#sk holds a, d's take-back, y, e -> a, y, e
    expect({ big: c['amounts#sbig|n'], k: c['kinds#sk|n'] }).toEqual({ big: '2', k: '3' });
  });
});
