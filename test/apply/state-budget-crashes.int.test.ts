// Records the store refuses for good, and crashes between their recording, their take-backs and their dead
// letters (from the second adversarial review of the state budget; each case failed before the exclusions were
// read at the start of every batch). The invariant in every case: a refused record is dead-lettered and leaves no
// trace in any row, whichever delivery is cut short where, and whichever rows go transactional meanwhile.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { emptyReport } from '../../packages/dynotally/src/apply/apply-report.ts';
import { recordExclusion, rowHash } from '../../packages/dynotally/src/apply/exclusions.ts';
import { Applier, type RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells, isMarked } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const opened: Array<{ destroy(): void }> = [clients];
afterAll(() => {
  for (const c of opened) c.destroy();
});

type Input = { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> };
/** A request kind: the take-back of a refused record (it sets an `x_…` marker), or an exclusion's recording. */
const isTakeBack = (i: Input) =>
  Object.values(i.ExpressionAttributeNames ?? {}).some((n) => n.startsWith('x_'));
const isExclusion = (i: Input) => (i.UpdateExpression ?? '').startsWith('ADD #ex');

/** A fresh client whose `nth` matching UpdateItem (counting from 1 once armed) fails like a crash. */
function faultyClient(
  match: (i: Input) => boolean,
  nth = 1,
): { client: DynamoDBClient; injected: () => number } {
  const c = testClients();
  opened.push(c);
  let seen = 0;
  let injected = 0;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand' && match(args.input as Input)) {
        seen++;
        if (seen === nth) {
          injected++;
          throw Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'review2Fault', priority: 'high' },
  );
  return { client: c.ddb, injected: () => injected };
}

const rollup = allTimeRollup;
const amounts = rollup('amounts', 'g', true);
const amounts2 = rollup('amounts2', 'g', true);
const kinds = rollup('kinds', 'kind', false);
const colors = rollup('colors', 'c', false);

const cells = (table: string) => counterCells(clients.ddb, table);
const marked = (table: string, pk: string) => isMarked(clients.ddb, table, pk);

function applierOn(
  client: DynamoDBClient,
  table: string,
  rollups: readonly RollupLike[],
  letters: DeadLetter[],
  budget?: number,
) {
  return new Applier({
    lateRecords: 'apply',
    client,
    table,
    rollups,
    write: { api: 'update-item' },
    retry: { maxAttempts: 1 },
    pruneSampleEvery: 1,
    ...(budget === undefined ? {} : { stateBudgetBytes: budget }),
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
}

describe('refused records, exclusions and take-backs', () => {
  it("a crash while recording the second row's refusal: the redelivery takes the record back from no row that refused it", async () => {
    // d cannot be added to amounts#sbig nor to amounts2#sbig (1e20 + 1e-19 needs 40 digits). The first delivery
    // isolates it on the first of them (entry recorded, e written after it), then dies while recording the second
    // row's refusal. The redelivery finds the refusal on the second row only, and its take-back (refusedAt = this
    // delivery's rows) subtracts d from the first row, which never held it; the exclusion entries on the
    // watermark items name both rows, but isolateUnrepresentable does not read them.
    const table = uniqueTableName('review2-r1');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const fault = faultyClient(isExclusion, 2); // the second row's refusal
    const next = insertRecords();
    const insert = (id: string, amount: string) =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } });
    const crashing = applierOn(fault.client, table, [amounts, amounts2, kinds], letters);
    await crashing.apply({ records: [insert('a', '1e20')], shardId: 'shard-1' });
    const batch = [insert('d', '1e-19'), insert('e', '-1e20')];
    await expect(crashing.apply({ records: batch, shardId: 'shard-1' })).rejects.toThrow(/injected/);
    expect(fault.injected()).toBe(1);
    // the redelivery, by a new process
    const fresh = applierOn(clients.ddb, table, [amounts, amounts2, kinds], letters);
    const out = await fresh.apply({ records: batch, shardId: 'shard-1' });
    expect(out.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    // a and e, each exactly once; d nowhere
    expect(await cells(table)).toEqual({
      'amounts#sbig|n': '2',
      'amounts#sbig|total': '0',
      'amounts2#sbig|n': '2',
      'amounts2#sbig|total': '0',
      'kinds#sk|n': '2',
    });
  });

  it('a row that holds the refused record goes transactional before the take-back: the redelivery still takes it back', async () => {
    // kinds#sk holds d per row (shard-1's state past d); the take-back is cut short. Another process marks
    // kinds#sk. The redelivery writes it transactionally (shard-1's state removed), then takes d back: the
    // take-back is conditioned on the state it just removed, so kinds#sk keeps d although d is dead-lettered
    // (and the letter, without pendingRows, adds d to kinds#sk again when replayed).
    const table = uniqueTableName('review2-r2');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const fault = faultyClient(isTakeBack, 1);
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    const crashing = applierOn(fault.client, table, [amounts, kinds], letters);
    await crashing.apply({ records: [insert('a', 'big', '1e20')], shardId: 'shard-1' });
    const batch = [insert('d', 'big', '1e-19'), insert('e', 'big', '5')];
    await expect(crashing.apply({ records: batch, shardId: 'shard-1' })).rejects.toThrow(/injected/);
    // shard-0's process writes kinds#sk, sees shard-1's state over its budget and marks the row
    const other = applierOn(clients.ddb, table, [amounts, kinds], letters, 0);
    await other.apply({ records: [insert('z', 'other', '1')], shardId: 'shard-0' });
    expect(await marked(table, 'kinds#sk')).toBe(true);
    // the redelivery (a worker re-reading from its checkpoint gets one more record, f)
    const fresh = applierOn(clients.ddb, table, [amounts, kinds], letters);
    await fresh.apply({ records: [...batch, insert('f', 'small', '1')], shardId: 'shard-1' });
    expect(letters.map((l) => l.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect((await cells(table))['kinds#sk|n']).toBe('4'); // a, e, z, f: d is a dead letter
  });

  it('two deliveries cut short at the take-back: the third still dead-letters the record and takes it back', async () => {
    // kinds#sk is transactional; colors#sred holds d per row. Delivery 1 dies at d's take-back. Delivery 2 finds
    // d in ex, commits kinds#sk past d (DELETE of the entry in the same transaction) and dies at the take-back
    // again (a crash, or its retries running out). Delivery 3 finds d nowhere: colors#sred keeps it, no letter.
    const table = uniqueTableName('review2-r3');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, g: string, c: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, c: { S: c }, amount: { N: amount } });
    const all = [amounts, kinds, colors];
    const first = faultyClient(isTakeBack, 1);
    const p1 = applierOn(first.client, table, all, letters);
    await p1.apply({ records: [insert('a', 'big', 'red', '1e20')], shardId: 'shard-1' });
    const other = applierOn(clients.ddb, table, all, letters, 0);
    await other.apply({ records: [insert('z', 'other', 'blue', '1')], shardId: 'shard-0' });
    expect(await marked(table, 'kinds#sk')).toBe(true);
    const batch = [insert('d', 'big', 'red', '1e-19'), insert('e', 'big', 'red', '5')];
    await expect(p1.apply({ records: batch, shardId: 'shard-1' })).rejects.toThrow(/injected/);
    const again = [...batch, insert('f', 'small', 'blue', '1')];
    const second = faultyClient(isTakeBack, 1);
    const p2 = applierOn(second.client, table, all, letters);
    await expect(p2.apply({ records: again, shardId: 'shard-1' })).rejects.toThrow(/injected/);
    expect(second.injected()).toBe(1);
    const p3 = applierOn(clients.ddb, table, all, letters);
    await p3.apply({ records: again, shardId: 'shard-1' });
    const c = await cells(table);
    // either d is a dead letter and in no row, or it is counted everywhere; here it is in colors#sred only
    expect({ letters: letters.map((l) => l.code), red: c['colors#sred|n'], k: c['kinds#sk|n'] }).toEqual({
      letters: ['NUMBER_UNREPRESENTABLE'],
      red: '2', // a, e
      k: '4', // a, z, e, f
    });
  });

  it("an exclusion item holds hundreds of entries for rows with keys at DynamoDB's limits", async () => {
    // every refusal is recorded on every rollup's item; entries leave only when a transaction moves that item.
    // A rollup without transactional rows keeps them for the shard's life, and the ~wt# item has no TTL. With
    // row keys near DynamoDB's limits an entry is ~3 KB: past ~133 refusals on one shard, recordExclusion (and
    // so every delivery of the batch) fails with a ValidationException.
    const table = uniqueTableName('review2-r4');
    await createAggregateTable(clients.ddb, table);
    const report = emptyReport(0);
    const ctx = { client: clients.ddb, table, now: 1, report, source: 'arn:s', shardId: 'shard-1' };
    const rowKey = `amounts#s${'g'.repeat(2000)}\u0000${'A'.repeat(1000)}`;
    let failure: unknown;
    let recorded = 0;
    for (let i = 0; i < 200 && failure === undefined; i++) {
      await recordExclusion(
        { seq: String(100000000000000000000n + BigInt(i)), rows: [rowHash(rowKey)], tooLarge: false, at: 1 },
        { ...ctx, rollups: ['amounts'] },
      ).then(
        () => void recorded++,
        (e: unknown) => {
          failure = e;
        },
      );
    }
    expect({ recorded, failure }).toEqual({ recorded: 200, failure: undefined }); // with whole row keys: 133, then ValidationException
  });
});

describe('a recorded refusal the refusing row no longer makes', () => {
  it('the row that refused the record could take it now: the redelivery still leaves it out', async () => {
    // d is refused by amounts#sbig and recorded; the take-back is cut short. Another shard's record brings the
    // row's sum down so that d fits. The redelivery writes d into amounts#sbig per row (the per-row stage never
    // reads the exclusions), then the transaction stage finds d in ex, leaves it out of kinds#sk, takes it back
    // from every row but the ones the entry names (amounts#sbig) and dead-letters it: amounts#sbig keeps d.
    const table = uniqueTableName('review2-r6');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    const fault = faultyClient(isTakeBack, 1);
    const p1 = applierOn(fault.client, table, [amounts, kinds], letters);
    await p1.apply({ records: [insert('a', 'big', '1e20')], shardId: 'shard-1' });
    // shard-0 (budget 0) writes kinds#sk, sees shard-1's state and marks it
    const marker = applierOn(clients.ddb, table, [amounts, kinds], letters, 0);
    await marker.apply({ records: [insert('z', 'other', '1')], shardId: 'shard-0' });
    expect(await marked(table, 'kinds#sk')).toBe(true);
    const batch = [insert('d', 'big', '1e-19')];
    await expect(p1.apply({ records: batch, shardId: 'shard-1' })).rejects.toThrow(/injected/);
    expect(letters).toEqual([]);
    // shard-2 takes 1e20 out of amounts#sbig (an update or delete of the item elsewhere in the table)
    const p2 = applierOn(clients.ddb, table, [amounts, kinds], letters);
    await p2.apply({ records: [insert('y', 'big', '-1e20')], shardId: 'shard-2' });
    const fresh = applierOn(clients.ddb, table, [amounts, kinds], letters);
    await fresh.apply({ records: [...batch, insert('f', 'small', '1')], shardId: 'shard-1' });
    const c = await cells(table);
    const dead = letters.map((l) => l.code);
    // d dead-lettered and nowhere, or counted everywhere and not dead-lettered
    expect({ dead, big: c['amounts#sbig|n'], k: c['kinds#sk|n'] }).toEqual({
      dead: ['NUMBER_UNREPRESENTABLE'],
      big: '2', // a, y
      k: '4', // a, z, y, f
    });
  });
});

describe('the one-record-at-a-time fallback', () => {
  it('after one refused record the rest of the batch goes in whole transactions again', async () => {
    // oneByOne is never reset: a batch of 40 with the refused record second costs 40 transactions (2 units per
    // row and per watermark item each) where 3 would do (the record before, the record alone, the rest)
    const table = uniqueTableName('review2-r5');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const applier = applierOn(clients.ddb, table, [amounts, kinds], letters, 0);
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    await applier.apply({ records: [insert('z', 'big', '1')], shardId: 'shard-0' });
    await applier.apply({ records: [insert('a', 'big', '1e20')], shardId: 'shard-1' });
    await applier.apply({ records: [insert('b', 'big', '1')], shardId: 'shard-1' });
    const batch = [insert('c', 'big', '1'), insert('d', 'big', '1e-19')];
    for (let i = 0; i < 38; i++) batch.push(insert(`r${i}`, 'big', '1'));
    const out = await applier.apply({ records: batch, shardId: 'shard-1' });
    expect(out.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect((await cells(table))['amounts#sbig|n']).toBe('42'); // z, a, b, c, r0…r37
    expect(out.report.transactions).toBeLessThanOrEqual(4);
  });
});

describe('marking', () => {
  it('the first transactional write of a row this process marked is sent once (its own state as its own write left it)', async () => {
    // the sampled write's ALL_OLD is the row before that very write: remembered as it was, the next batch
    // conditioned its transaction on that older state, was cancelled, learnt the row and sent it again
    const table = uniqueTableName('review2-r7');
    await createAggregateTable(clients.ddb, table);
    const c = testClients();
    opened.push(c);
    let sent = 0;
    c.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') sent++;
        return next(args);
      },
      { step: 'initialize', name: 'transactionCount' },
    );
    const letters: DeadLetter[] = [];
    const applier = applierOn(c.ddb, table, [kinds], letters, 0);
    const next = insertRecords();
    const insert = (id: string) => next(id, { kind: { S: 'k' } });
    await applier.apply({ records: [insert('z')], shardId: 'shard-0' });
    await applier.apply({ records: [insert('a')], shardId: 'shard-1' }); // sees shard-0's state: marks kinds#sk
    expect(await marked(table, 'kinds#sk')).toBe(true);
    sent = 0;
    await applier.apply({ records: [insert('b')], shardId: 'shard-1' });
    expect((await cells(table))['kinds#sk|n']).toBe('3');
    expect(sent).toBe(1);
  });
});
