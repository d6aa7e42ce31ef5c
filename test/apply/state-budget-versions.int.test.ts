// Found by an adversarial review of the state budget (rows past it go transactional), each failing before its
// fix: the dead-letter probe must see that a transactional row holds a record through its shard's watermark item
// (else a replay counts it twice), and the appliers of different rollup versions on one shard must not share that
// item (else the version under backfill loses what the other's transactions passed). The `transaction` strategy,
// whose per-shard item has the same problem, is refused beside rollup versions.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  pendingRowsOf,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { backfillRecordParams } from '../../packages/dynotally/src/versions/control-params.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells, isMarked, registerBuildingV2 } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const faulty = testClients();
afterAll(() => {
  clients.destroy();
  faulty.destroy();
});

const kinds = allTimeRollup('kinds', 'kind', false);

const amounts = allTimeRollup('amounts', 'g', true);

const cells = (table: string) => counterCells(clients.ddb, table);

const transactional = (table: string, pk: string) => isMarked(clients.ddb, table, pk);

/** A fresh aggregate table and claim table. */
async function tablesWithClaims(prefix: string): Promise<{ table: string; claims: string }> {
  const table = uniqueTableName(prefix);
  const claims = uniqueTableName(`${prefix}-claims`);
  await createAggregateTable(clients.ddb, table);
  await createClaimTable(clients.ddb, claims);
  return { table, claims };
}

/** Registers version 2 of `kinds` as building (a backfill to come): the stream writes both versions from here. */
const buildKindsV2 = (table: string) => registerBuildingV2(clients.ddb, table, kinds);

describe('dead-letter probe and replay of a record a transactional row holds', () => {
  it('pendingRowsOf does not name a transactional row whose shard watermark item is past the record', async () => {
    const table = uniqueTableName('review-probe');
    const dlt = uniqueTableName('review-probe-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [kinds],
      write: { api: 'update-item' },
      stateBudgetBytes: 0,
      pruneSampleEvery: 1,
    });
    const next = insertRecords();
    const insert = (id: string) => next(id, { kind: { S: 'k' } });
    await applier.apply({ records: [insert('z')], shardId: 'shard-0' });
    await applier.apply({ records: [insert('a')], shardId: 'shard-1' });
    // x is applied to kinds#sk through the transaction path: the shard's ~wt# item moves past it and the row
    // drops shard-1's own state
    const x = insert('x') as DynamoDBRecord;
    const { report } = await applier.apply({ records: [x], shardId: 'shard-1' });
    expect(report.transactions).toBe(1);
    expect(await cells(table)).toEqual({ 'kinds#sk|n': '3' });
    // the worker dead-letters x now (its batch failed after the commit, and x aged past maxRecordAgeMs, or
    // retries ran out): the probe must see that kinds#sk already holds it
    const pendingRows = await pendingRowsOf({
      client: clients.ddb,
      table,
      rollups: applier.rollups,
      strategy: 'row-watermark',
      source: x.eventSourceARN as string,
      shardId: 'shard-1',
      record: x,
    });
    const letter: DeadLetter = {
      source: x.eventSourceARN as string,
      shardId: 'shard-1',
      sequenceNumber: x.dynamodb?.SequenceNumber as string,
      eventId: x.eventID,
      code: 'RECORD_TOO_OLD',
      reason: 'review',
      record: x,
      at: Date.now(),
      ...(pendingRows === undefined ? {} : { pendingRows }),
    };
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
    await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [kinds],
      all: true,
    });
    // without the fix: pendingRows = [kinds#sk ALL] (the probe read only the row's own state, which the
    // transaction removed) and the replay counted x a second time: 4
    expect(pendingRows).toEqual([]);
    expect(await cells(table)).toEqual({ 'kinds#sk|n': '3' });
  });
});

describe('the versioned write side while a version is built', () => {
  it('the plain versions and the version under backfill share no ~wt# item: a transactional row of each counts every record', async () => {
    const { table, claims } = await tablesWithClaims('review-versions');
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table,
      claimTable: claims,
      rollups: [kinds],
      claimMarginMs: 1_000,
      apply: { lateRecords: 'apply', stateBudgetBytes: 0, pruneSampleEvery: 1 },
    });
    const next = insertRecords();
    const insert = (id: string) => next(id, { kind: { S: 'k' } });
    await side.apply({ records: [insert('z')], shardId: 'shard-0' }); // registers version 1
    await buildKindsV2(table);
    // from here every record is new (claimed live by the stream): both versions count it
    for (const [id, shardId] of [
      ['y', 'shard-0'],
      ['a', 'shard-1'],
      ['b', 'shard-1'],
      ['c', 'shard-1'],
    ] as const)
      await side.apply({ records: [insert(id)], shardId });
    const rows = (await scanTable(clients.ddb, table)).filter((i) => i.sk?.S === 'ALL');
    const n = Object.fromEntries(rows.map((r) => [r.pk?.S, r.n?.N]));
    const v2 = Object.keys(n).find((pk) => pk !== 'kinds#sk') as string;
    expect(await transactional(table, 'kinds#sk')).toBe(true);
    // version 1: z y a b c; version 2 (built from y on): y a b c. With one ~wt# item per shard, version 2 held 2
    // (y, a): its applier learnt the row over the budget from a's write, so b and c went to its transaction path,
    // which read shard-1's item already moved past them by version 1's applier, and wrote nothing
    expect(n).toEqual({ 'kinds#sk': '5', [v2]: '4' });
  });
});

describe('the transaction strategy beside rollup versions', () => {
  it('is refused: its per-shard watermark item would let one version pass the records of another', () => {
    expect(() =>
      createVersionedWriteSide({
        client: clients.ddb,
        table: 'aggregates',
        claimTable: 'claims',
        rollups: [kinds],
        apply: { lateRecords: 'apply', strategy: 'transaction' },
      }),
    ).toThrow(/apply.strategy 'transaction' cannot be used with rollup versions/);
  });
});

describe('refused records beside rollup versions', () => {
  it('a crash at the take-back, then a redelivery cut at the backfill window: the record stays out of every row', async () => {
    const { table, claims } = await tablesWithClaims('review3-v');
    let armed = false;
    faulty.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        const names = Object.values(
          (args.input as { ExpressionAttributeNames?: Record<string, string> }).ExpressionAttributeNames ??
            {},
        );
        if (armed && context.commandName === 'UpdateItemCommand' && names.some((n) => n.startsWith('x_'))) {
          armed = false;
          throw Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'takeBackCrash', priority: 'high' },
    );
    const options = {
      table,
      claimTable: claims,
      rollups: [amounts, kinds],
      claimMarginMs: 1_000,
      apply: { lateRecords: 'apply' as const, retry: { maxAttempts: 1 } },
    };
    const side1 = createVersionedWriteSide({ ...options, client: faulty.ddb });
    const next = insertRecords();
    const at = (r: DynamoDBRecord, s: number) => {
      if (r.dynamodb) r.dynamodb.ApproximateCreationDateTime = s;
      return r;
    };
    const insert = (id: string, g: string, amount: string, s: number) =>
      at(next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } }), s);
    await side1.apply({ records: [insert('a', 'big', '1e20', 1_763_700_000)], shardId: 'shard-1' }); // registers v1
    // kinds version 2 built by a backfill that ended at 1_763_800_000 s (its window ends one second later)
    await buildKindsV2(table);
    await clients.ddb.send(
      new UpdateItemCommand(
        backfillRecordParams(table, 'kinds', 2, {
          startedAt: 1_763_799_000_000,
          segments: 1,
          endedAt: 1_763_800_000_000,
        }),
      ),
    );
    // the batch spans the window end: r0 inside, d and e after it. d is refused by amounts#sbig (40 digits), e
    // moves amounts#sbig past d, the crash hits d's take-back from kinds#sk (the entry is on the item of the
    // plain applier [amounts, kinds v1])
    const r0 = insert('r0', 'small', '1', 1_763_800_000);
    const d = insert('d', 'big', '1e-19', 1_763_800_100);
    const e = insert('e', 'big', '5', 1_763_800_100);
    armed = true;
    await expect(side1.apply({ records: [r0, d, e], shardId: 'shard-1' })).rejects.toThrow(/injected/);
    // bisected: [r0] and [d, e]; the second half is all past the window, so kinds v2 joins the plain applier:
    // with one exclusion item per applier (a hash of its rollups) it read another item and found no entry
    const side2 = createVersionedWriteSide({ ...options, client: clients.ddb });
    await side2.apply({ records: [r0], shardId: 'shard-1' });
    const out = await side2.apply({ records: [d, e], shardId: 'shard-1' });
    const n = Object.fromEntries(
      (await scanTable(clients.ddb, table))
        .filter((i) => i.pk?.S === 'kinds#sk' || i.pk?.S === 'amounts#sbig')
        .map((i) => [i.pk?.S, i.n?.N]),
    );
    // d in no row of version 1: amounts#sbig a, e; kinds#sk a, r0, e (the same redelivery uncut, [r0, d, e],
    // gives these counts)
    expect(out.report.records).toBe(2);
    expect(n).toEqual({ 'amounts#sbig': '2', 'kinds#sk': '3' });
  });

  it('returns the poison its appliers found while a version is under backfill, so the record is dead-lettered', async () => {
    // the plain and claimed appliers' poison (NUMBER_UNREPRESENTABLE, ITEM_TOO_LARGE) used to be dropped: apply
    // returned only the fold's poison, so d was taken back from every row and left no dead letter
    const { table, claims } = await tablesWithClaims('review3-vp');
    const side = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable: claims,
      rollups: [amounts, kinds],
      claimMarginMs: 1_000,
    });
    const next = insertRecords();
    const insert = (id: string, amount: string) =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } });
    await side.apply({ records: [insert('a', '1e20')], shardId: 'shard-1' });
    await buildKindsV2(table);
    const out = await side.apply({ records: [insert('d', '1e-19')], shardId: 'shard-1' });
    expect(out.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
  });
});
