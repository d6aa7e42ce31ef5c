// Records the store refuses for good (a sum over 38 digits) and transactional rows, from the adversarial review of
// the state budget: each failed before the durable exclusions. A record refused by a per-row row is recorded on
// the shard's watermark items before anything after it is written, so a transaction that failed and is delivered
// again leaves it out; a record a transactional row refuses is found one record a transaction, dead-lettered and
// taken back from its per-row rows, and the shard goes on. Last, a marked row sheds the states of shards that
// stopped writing it once they are past the redelivery horizon.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells, isMarked } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const faulty = testClients();
afterAll(() => {
  clients.destroy();
  faulty.destroy();
});

/** Fails the next `TransactWriteItems` the client sends (a crash, or retries exhausted on conflicts), once armed. */
function transactionFault(client: DynamoDBClient) {
  let armed = false;
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (armed && context.commandName === 'TransactWriteItemsCommand') {
        armed = false;
        injected++;
        throw Object.assign(new Error('injected crash before the transaction'), { name: 'InjectedCrash' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'reviewTransactionFault', priority: 'high' },
  );
  return {
    arm: () => {
      armed = true;
    },
    injected: () => injected,
  };
}

const amounts = allTimeRollup('amounts', 'g', true);
const kinds = allTimeRollup('kinds', 'kind', false);

const cells = (table: string) => counterCells(clients.ddb, table);

const transactional = (table: string, pk: string) => isMarked(clients.ddb, table, pk);

/** An applier on which every row written by two shards goes transactional (budget 0), and its records' maker. */
function everyRowTransactional(client: DynamoDBClient, table: string, letters: DeadLetter[]) {
  const applier = new Applier({
    lateRecords: 'apply',
    client,
    table,
    rollups: [amounts, kinds],
    write: { api: 'update-item' },
    stateBudgetBytes: 0,
    pruneSampleEvery: 1,
    retry: { maxAttempts: 1 },
    deadLetter: { send: async (l) => void letters.push(...l) },
  });
  const next = insertRecords();
  const insert = (id: string, g: string, amount: string) =>
    next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
  return { applier, insert };
}

describe('a dead-lettered unrepresentable record and a transactional row', () => {
  it('a failed transaction after the take-back, then the redelivery: the dead letter is not counted in the transactional row', async () => {
    const table = uniqueTableName('review-unrep-crash');
    await createAggregateTable(clients.ddb, table);
    const fault = transactionFault(faulty.ddb);
    const letters: DeadLetter[] = [];
    const { applier, insert } = everyRowTransactional(faulty.ddb, table, letters);
    // shard-0 writes the kinds row first: shard-1's first write then sees a state on it (over a budget of 0)
    await applier.apply({ records: [insert('z', 'other', '1')], shardId: 'shard-0' });
    await applier.apply({
      records: [insert('a', 'big', '1e20'), insert('b', 'small', '2')],
      shardId: 'shard-1',
    });
    const second = [insert('c', 'small', '3'), insert('d', 'big', '1e-19'), insert('e', 'big', '5')];
    // d cannot be added to amounts#sbig (40 digits): isolated, taken back, dead-lettered; then the process dies
    // (or the transaction's retries run out) before the transactional write of kinds#sk
    fault.arm();
    await expect(applier.apply({ records: second, shardId: 'shard-1' })).rejects.toThrow();
    expect(fault.injected()).toBe(1);
    expect(letters.map((l) => [l.sequenceNumber, l.code])).toEqual([
      [second[1]?.dynamodb?.SequenceNumber, 'NUMBER_UNREPRESENTABLE'],
    ]);
    // the redelivery of the batch: amounts#sbig already holds every record but d, so d is not found again
    await applier.apply({ records: second, shardId: 'shard-1' });
    expect(await transactional(table, 'kinds#sk')).toBe(true);
    expect(await cells(table)).toEqual({
      'amounts#sbig|n': '2', // a and e
      'amounts#sbig|total': '100000000000000000005',
      'amounts#ssmall|n': '2',
      'amounts#ssmall|total': '5',
      'amounts#sother|n': '1',
      'amounts#sother|total': '1',
      'kinds#sk|n': '5', // z, a, b, c, e: d is a dead letter and leaves no trace (6 before the exclusions)
    });
  });

  it('a sum the transactional row cannot hold: dead-lettered like on the per-row path, and the shard goes on', async () => {
    const table = uniqueTableName('review-unrep-tx');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const { applier, insert } = everyRowTransactional(clients.ddb, table, letters);
    // amounts#sbig carries shard-0's state when shard-1 first writes it: it goes transactional
    await applier.apply({ records: [insert('z', 'big', '1')], shardId: 'shard-0' });
    await applier.apply({
      records: [insert('a', 'big', '1e20'), insert('b', 'small', '2')],
      shardId: 'shard-1',
    });
    const second = [insert('c', 'small', '3'), insert('d', 'big', '1e-19'), insert('e', 'big', '5')];
    let failure: unknown;
    const result = await applier.apply({ records: second, shardId: 'shard-1' }).catch((e: unknown) => {
      failure = e;
      return undefined;
    });
    // before: APPLY_FAILED (ValidationError in the transaction) on this and every redelivery, so the shard
    // stopped until its records left the stream; now as on the per-row path, d is dead-lettered and the shard goes on
    expect(failure).toBeUndefined();
    expect(result?.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect(await transactional(table, 'amounts#sbig')).toBe(true);
    expect(await cells(table)).toMatchObject({
      'amounts#sbig|n': '3', // z, a, e
      'kinds#sk|n': '5',
    });
    // delivered again, whole and from d on: nothing changes; d's entry is kept (until it is past the redelivery
    // horizon), so it is left out and dead-lettered again (the DynamoDB sink keeps the first letter)
    const before = await cells(table);
    const again = await applier.apply({ records: second, shardId: 'shard-1' });
    await applier.apply({ records: second.slice(1), shardId: 'shard-1' });
    expect(again.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect(await cells(table)).toEqual(before);
  });
});

describe('states of shards that no longer write a transactional row', () => {
  it('are pruned once past the redelivery horizon, as on the per-row path', async () => {
    const table = uniqueTableName('budget-stale');
    await createAggregateTable(clients.ddb, table);
    const T0 = 1_763_800_060_000;
    const make = (now: number) =>
      new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [kinds],
        write: { api: 'update-item' },
        stateBudgetBytes: 60, // about two compact states
        pruneSampleEvery: 1,
        now: () => now,
      });
    const next = insertRecords();
    const insert = (id: string) => next(id, { kind: { S: 'k' } });
    const early = make(T0);
    for (let s = 0; s < 8; s++) await early.apply({ records: [insert(`e${s}`)], shardId: `shard-${s}` });
    const row = async () => (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'kinds#sk');
    expect((await row())?.['~tx']).toEqual({ S: 'tx' });
    const states = (item: Record<string, unknown> | undefined) =>
      Object.keys(item ?? {}).filter((a) => a.startsWith('~') && a !== '~tx');
    expect(states(await row()).length).toBeGreaterThan(0);
    // one shard goes on writing the row through one process: an hour later (nothing stale yet; the process
    // learns the row is marked from its refused write), then three days later (the stream's 24 h and the hour of
    // margin long past), when only a sampled read of the row can show it the old states
    let clock = T0 + 3_600_000;
    const later = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [kinds],
      write: { api: 'update-item' },
      stateBudgetBytes: 60,
      pruneSampleEvery: 1,
      now: () => clock,
    });
    await later.apply({ records: [insert('l0')], shardId: 'shard-9' });
    const kept = states(await row()).length;
    expect(kept).toBeGreaterThan(0);
    clock = T0 + 3 * 86_400_000;
    for (let b = 1; b < 3; b++) await later.apply({ records: [insert(`l${b}`)], shardId: 'shard-9' });
    expect((await row())?.n).toEqual({ N: '11' });
    // without the sampled read they stayed for good, paid twice by every transaction
    expect(states(await row())).toEqual([]);
  });
});
