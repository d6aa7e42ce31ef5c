// Refused records and redeliveries after a delivery that finished (from the third adversarial review of the
// exclusions): the row that refused a record may take it later (another record lowered its sum), and nothing moves
// that row past the record, so the exclusion entry is kept until the record is past the redelivery horizon. Each
// case failed when entries were cleared at the end of the delivery. The dead-letter sink here keeps every letter
// sent: a redelivery sends the record's letter again (the DynamoDB sink keeps the first).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, budgetApplier, counterCells, isMarked } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const amounts = allTimeRollup('amounts', 'g', true);
const kinds = allTimeRollup('kinds', 'kind', false);
const cells = (table: string) => counterCells(clients.ddb, table);
const marked = (table: string, pk: string) => isMarked(clients.ddb, table, pk);
/** A minute after the records (insertRecords stamps 1763800000): within the redelivery horizon. */
const NOW = 1_763_800_060_000;

function applierOn(
  client: DynamoDBClient,
  table: string,
  rollups: readonly RollupLike[],
  letters: DeadLetter[],
  api: 'update-item' | 'partiql',
  budget?: number,
) {
  const deadLetter = { send: async (l: readonly DeadLetter[]) => void letters.push(...l) };
  return budgetApplier({ client, table, rollups, api, deadLetter, now: NOW, budget });
}

describe.each(['update-item', 'partiql'] as const)('a redelivery after a finished delivery (%s)', (api) => {
  it('per-row: the row that refused the record takes it in the redelivery; the other rows had it taken back', async () => {
    // Delivery 1 of [d] finishes: amounts#sbig refuses d (1e20 + 1e-19, 40 digits), the refusal is recorded,
    // d is taken back from kinds#sk (marker set) and dead-lettered (the entry used to be cleared here). amounts#sbig's state for
    // shard-1 stays at a (nothing moves it past d, the row's last record). shard-2 then brings the sum to 0. The
    // worker dies before its checkpoint (or the Lambda times out after apply): [d] is delivered again, finds no
    // entry, folds d, and amounts#sbig (state below d) now takes it. kinds#sk skips d (state past it).
    const table = uniqueTableName(`review3-a-${api}`);
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    const p1 = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await p1.apply({ records: [insert('a', 'big', '1e20')], shardId: 'shard-1' });
    const batch = [insert('d', 'big', '1e-19')];
    const first = await p1.apply({ records: batch, shardId: 'shard-1' });
    expect(first.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    const p2 = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await p2.apply({ records: [insert('y', 'big', '-1e20')], shardId: 'shard-2' });
    // the same batch again (a checkpoint lost after a finished delivery), by a new process
    const fresh = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await fresh.apply({ records: batch, shardId: 'shard-1' });
    const c = await cells(table);
    // d dead-lettered and in no row (a, y in each)
    expect({
      dead: [...new Set(letters.map((l) => l.code))],
      big: c['amounts#sbig|n'],
      k: c['kinds#sk|n'],
    }).toEqual({
      dead: ['NUMBER_UNREPRESENTABLE'],
      big: '2',
      k: '2',
    });
  });

  it('per-row, no other shard: a later batch overlapping the finished one coalesces the refused record into the row that refused it', async () => {
    // Delivery 1 of [d] finishes as above (d refused by amounts#sbig, taken back from kinds#sk, entry cleared;
    // amounts#sbig's state stays below d). The worker re-reads from its checkpoint and gets [d, e]: no entry, so
    // d was folded; amounts#sbig's coalesced delta (1e-19 - 1e-19 = 0 on total, +2 on n) was accepted, kinds#sk
    // skips d (state past it) and takes e. Every record touches both rows, so their counts must stay equal.
    const table = uniqueTableName(`review3-c-${api}`);
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, amount: string) =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } });
    const p1 = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await p1.apply({ records: [insert('a', '1e20')], shardId: 'shard-1' });
    const d = insert('d', '1e-19');
    const first = await p1.apply({ records: [d], shardId: 'shard-1' });
    expect(first.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    const fresh = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await fresh.apply({ records: [d, insert('e', '-1e-19')], shardId: 'shard-1' });
    const c = await cells(table);
    expect({ big: c['amounts#sbig|n'], k: c['kinds#sk|n'] }).toEqual({
      big: c['kinds#sk|n'],
      k: c['kinds#sk|n'],
    });
    // d stays out (its entry is kept), so e alone reaches amounts#sbig and is refused there too: a only
    expect(c['kinds#sk|n']).toBe('1');
    expect(new Set(letters.map((l) => l.sequenceNumber)).size).toBe(2);
  });

  it('transactional: a refused last record leaves the watermark item below it; the redelivery commits it', async () => {
    // amounts#sbig is marked (shard-0, budget 0, kind 'other' so kinds#sk stays per row). [d] refused by its
    // transaction: recorded, taken back from kinds#sk, dead-lettered, cleared; the rollup's ~wt# item does not
    // move past d (nothing after it in the batch). shard-2 brings the sum to 0; the redelivery commits d there.
    const table = uniqueTableName(`review3-b-${api}`);
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, g: string, kind: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: kind }, amount: { N: amount } });
    const p1 = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await p1.apply({ records: [insert('a', 'big', 'k', '1e20')], shardId: 'shard-1' });
    const marker = applierOn(clients.ddb, table, [amounts, kinds], letters, api, 0);
    await marker.apply({ records: [insert('z', 'big', 'other', '0')], shardId: 'shard-0' });
    expect(await marked(table, 'amounts#sbig')).toBe(true);
    expect(await marked(table, 'kinds#sk')).toBe(false);
    const batch = [insert('d', 'big', 'k', '1e-19')];
    const first = await p1.apply({ records: batch, shardId: 'shard-1' });
    expect(first.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    const p2 = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await p2.apply({ records: [insert('y', 'big', 'other', '-1e20')], shardId: 'shard-2' });
    const fresh = applierOn(clients.ddb, table, [amounts, kinds], letters, api);
    await fresh.apply({ records: batch, shardId: 'shard-1' });
    const c = await cells(table);
    // d dead-lettered and in no row: amounts#sbig holds a, z, y; kinds#sk holds a
    expect({
      dead: [...new Set(letters.map((l) => l.code))],
      big: c['amounts#sbig|n'],
      k: c['kinds#sk|n'],
    }).toEqual({
      dead: ['NUMBER_UNREPRESENTABLE'],
      big: '3',
      k: '1',
    });
  });
});

describe('a take-back the store refuses', () => {
  it('leaves the record in that row, says so in the letter, and the shard goes on', async () => {
    // p put 1e-19 into amounts#sbig and kindSums#sk. The batch [d, o]: d (-1e20) cannot be added to amounts#sbig
    // (1e-19 - 1e20 needs 39 digits); kindSums#sk takes d and o (+1e20, another group) coalesced (delta 0). Taking
    // d back from kindSums#sk (1e-19 + 1e20) is refused too: it used to throw at every delivery, so the shard
    // never moved. Now kindSums#sk keeps d, and the letter's rows leave it out, so a replay does not add d there.
    const table = uniqueTableName('budget-takeback');
    await createAggregateTable(clients.ddb, table);
    const kindSums = allTimeRollup('kindSums', 'kind', true);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    const p1 = applierOn(clients.ddb, table, [amounts, kindSums], letters, 'update-item');
    await p1.apply({ records: [insert('p', 'big', '1e-19')], shardId: 'shard-1' });
    const batch = [insert('d', 'big', '-1e20'), insert('o', 'other', '1e20')];
    const outcome = async () =>
      p1.apply({ records: batch, shardId: 'shard-1' }).then(
        (r) => r.poison.map((x) => x.error.code).join(','),
        (e: unknown) => `threw ${(e as Error).name}`,
      );
    const first = await outcome();
    const again = await outcome(); // the redelivery
    expect({ first, again }).toEqual({ first: 'NUMBER_UNREPRESENTABLE', again: 'NUMBER_UNREPRESENTABLE' });
    const letter = letters[0];
    expect(letter?.pendingRows?.map((r) => r.pk)).toEqual(['amounts#sbig']);
  });
});
