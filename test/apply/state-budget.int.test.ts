// A hot row written by many shards (an all-time total in a table with many partitions) would carry one
// exactly-once state per shard that wrote it within the redelivery horizon, and pay for all of them on every
// write. Past the state budget it goes to the per-shard transaction path: it is marked, stops gaining states
// and sheds the ones it has, while every count stays exact. Here 40 shards write one hot row and a row each
// of their own, through two appliers that know nothing of each other, with redeliveries and injected crashes,
// against a brute-force count of the records.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { Applier, type ApplyReport, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { stateBytesOf } from '../../packages/dynotally/src/apply/transactional-rows.ts';
import { pendingRowsOf } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';
import { rng } from './workload.ts';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 240_000 });
const { clients, faulty, faults } = faultyTestClients();

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const byTotal = defineRollup({
  name: 'total',
  groupBy: 'all',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), amount: sum('amount') },
});
const byShard = defineRollup({
  name: 'shards',
  groupBy: 'p',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const SHARDS = 40;
const BATCHES = 3;
const PER_BATCH = 4;
const BUDGET = 120; // about five compact states
/** A minute after the records: no shard's state is old enough to be pruned by age. */
const NOW = 1_763_800_060_000;

/** Shard i's batches: INSERTs of its own items, sequence numbers increasing within the shard. */
function shardBatches(i: number): DynamoDBRecord[][] {
  const out: DynamoDBRecord[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const batch: DynamoDBRecord[] = [];
    for (let r = 0; r < PER_BATCH; r++) {
      const seq = 1000 + b * PER_BATCH + r;
      const id = `s${i}-${seq}`;
      const image: Record<string, AttributeValue> = {
        id: { S: id },
        all: { S: 'hot' },
        p: { S: `p${i}` },
        amount: { N: String((seq % 7) + 1) },
        t: { N: '1763800000000' },
      };
      batch.push({
        eventID: id,
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        eventSourceARN: STREAM,
        dynamodb: {
          Keys: { id: { S: id } },
          NewImage: image,
          SequenceNumber: String(seq),
          ApproximateCreationDateTime: 1_763_800_000,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      });
    }
    out.push(batch);
  }
  return out;
}

/** What the records of every shard add up to. */
function expected(): Record<string, string> {
  let n = 0;
  let amount = 0;
  const out: Record<string, string> = {};
  for (let i = 0; i < SHARDS; i++) {
    for (const batch of shardBatches(i))
      for (const r of batch) {
        n++;
        amount += Number(r.dynamodb?.NewImage?.amount?.N);
      }
    out[`shards#sp${i} n`] = String(BATCHES * PER_BATCH);
  }
  out['total#shot n'] = String(n);
  out['total#shot amount'] = String(amount);
  return out;
}

async function stored(table: string) {
  const items = await scanTable(clients.ddb, table);
  const counts: Record<string, string> = {};
  for (const item of items) {
    const pk = item.pk?.S as string;
    if (pk.startsWith('~')) continue; // the shards' watermark items
    if (item.n?.N !== undefined) counts[`${pk} n`] = item.n.N;
    if (item.amount?.N !== undefined) counts[`${pk} amount`] = item.amount.N;
  }
  const hot = items.find((i) => i.pk?.S === 'total#shot') as Record<string, never>;
  return { counts, hot };
}

function totals(reports: ApplyReport[]) {
  return {
    transactions: reports.reduce((s, r) => s + r.transactions, 0),
    writeUnits: reports.reduce((s, r) => s + r.writeUnits, 0),
  };
}

describe.each<WriteApi>(['partiql', 'update-item'])(
  `a row written by ${SHARDS} shards, over the state budget (%s)`,
  (api) => {
    it('goes transactional, keeps its state bounded, and every count is exact under redelivery', async () => {
      const table = uniqueTableName(`budget-${api}`);
      await createAggregateTable(clients.ddb, table);
      const make = () =>
        new Applier({
          client: clients.ddb,
          table,
          rollups: [byTotal, byShard],
          write: { api },
          stateBudgetBytes: BUDGET,
          pruneSampleEvery: 1,
          now: () => NOW,
        });
      const appliers = [make(), make()];
      const random = rng(api === 'partiql' ? 7 : 8);
      const reports: ApplyReport[] = [];
      let k = 0;
      const deliver = async (shard: number, records: DynamoDBRecord[]) => {
        const applier = appliers[k++ % appliers.length] as Applier;
        const { report, poison } = await applier.apply({ records, shardId: `shardId-${shard}` });
        expect(poison).toEqual([]);
        reports.push(report);
      };
      let largest = 0;
      for (let b = 0; b < BATCHES; b++)
        for (let i = 0; i < SHARDS; i++) {
          const batches = shardBatches(i);
          await deliver(i, batches[b] as DynamoDBRecord[]);
          // a redelivery of something this shard already delivered: a batch, a half, or a span across two
          const again = Math.floor(random() * (b + 1));
          const whole = batches[again] as DynamoDBRecord[];
          const cut = random();
          if (cut < 0.3) await deliver(i, whole);
          else if (cut < 0.6) await deliver(i, whole.slice(PER_BATCH / 2));
          else if (again < b)
            await deliver(i, [...whole.slice(1), ...(batches[again + 1] as DynamoDBRecord[]).slice(0, 2)]);
          largest = Math.max(largest, stateBytesOf((await stored(table)).hot));
        }
      const { counts, hot } = await stored(table);
      expect(counts).toEqual(expected());
      expect((hot as Record<string, unknown>)['~tx']).toEqual({ S: 'tx' });
      // every shard that wrote after the row went transactional removed its own state: what is left is at most
      // the states added before the row was seen over the budget
      expect(stateBytesOf(hot)).toBeLessThanOrEqual(BUDGET);
      expect(largest).toBeLessThanOrEqual(2 * BUDGET);
      // the rows of one shard never pass the budget: they stay per-row
      const cold = (await scanTable(clients.ddb, table)).filter((i) => i.pk?.S?.startsWith('shards#'));
      expect(cold.every((i) => i['~tx'] === undefined)).toBe(true);
      expect(totals(reports).transactions).toBeGreaterThan(SHARDS);
      // a dead-letter probe of an applied record (what the stream worker asks before it dead-letters one) finds
      // no row pending, the transactional hot row included: its watermark item holds the record
      for (const i of [0, SHARDS - 1]) {
        const record = (shardBatches(i)[BATCHES - 1] as DynamoDBRecord[])[PER_BATCH - 1] as DynamoDBRecord;
        const probe = { client: clients.ddb, table, rollups: [byTotal.compiled, byShard.compiled] };
        expect(
          await pendingRowsOf({
            ...probe,
            strategy: 'row-watermark',
            source: STREAM,
            shardId: `shardId-${i}`,
            record,
          }),
        ).toEqual([]);
      }
      // every batch of every shard again, through a third applier that has seen none of the rows
      const fresh = make();
      for (let i = 0; i < SHARDS; i++)
        for (const batch of shardBatches(i)) await fresh.apply({ records: batch, shardId: `shardId-${i}` });
      expect((await stored(table)).counts).toEqual(expected());
    });
  },
);

describe('a row seen over the budget by one process', () => {
  it('is marked, so a process that never looks at old rows sends it the transactional way too', async () => {
    const table = uniqueTableName('budget-mark');
    await createAggregateTable(clients.ddb, table);
    const make = (pruneSampleEvery: number) =>
      new Applier({
        client: clients.ddb,
        table,
        rollups: [byTotal, byShard],
        write: { api: 'update-item' },
        stateBudgetBytes: BUDGET,
        pruneSampleEvery,
        now: () => NOW,
      });
    const looks = make(1);
    const blind = make(1_000_000); // asks for no old row: it can only learn from a refused write
    // ten shards add their states through the blind process, then one write of the looking process sees them
    for (let i = 0; i < 10; i++)
      await blind.apply({ records: shardBatches(i)[0] as DynamoDBRecord[], shardId: `shardId-${i}` });
    await looks.apply({ records: shardBatches(10)[0] as DynamoDBRecord[], shardId: 'shardId-10' });
    expect((await stored(table)).hot['~tx' as never]).toEqual({ S: 'tx' });
    const { report } = await blind.apply({
      records: shardBatches(11)[0] as DynamoDBRecord[],
      shardId: 'shardId-11',
    });
    expect(report.transactions).toBe(1);
    // every first batch again: nothing changes
    for (let i = 0; i < 12; i++)
      for (const batch of shardBatches(i).slice(0, 1))
        await blind.apply({ records: batch, shardId: `shardId-${i}` });
    const { counts } = await stored(table);
    expect(counts['total#shot n']).toBe(String(12 * PER_BATCH));
  });
});

describe('a marked row met by a PartiQL process that never saw it', () => {
  it('is predicted new, refused as a duplicate, then refused as marked: it goes the transactional way, exactly', async () => {
    // the INSERT of a row never seen carries no condition; its DuplicateItem fallback must keep every condition
    const table = uniqueTableName('budget-mark-insert');
    await createAggregateTable(clients.ddb, table);
    const make = (api: 'update-item' | 'partiql') =>
      new Applier({
        client: clients.ddb,
        table,
        rollups: [byTotal, byShard],
        write: { api },
        stateBudgetBytes: BUDGET,
        // the PartiQL process samples no row (a sampled row goes through UpdateItem)
        pruneSampleEvery: api === 'partiql' ? 1_000_000 : 1,
        now: () => NOW,
      });
    const looks = make('update-item');
    for (let i = 0; i < 11; i++)
      await looks.apply({ records: shardBatches(i)[0] as DynamoDBRecord[], shardId: `shardId-${i}` });
    expect((await stored(table)).hot['~tx' as never]).toEqual({ S: 'tx' });
    for (const repeat of [false, true]) {
      const fresh = make('partiql'); // knows no row: its first statement for the hot row is an INSERT
      const { report } = await fresh.apply({
        records: shardBatches(11)[0] as DynamoDBRecord[],
        shardId: 'shardId-11',
      });
      if (!repeat) expect(report.transactions).toBe(1);
    }
    const { counts } = await stored(table);
    expect(counts['total#shot n']).toBe(String(12 * PER_BATCH));
  });
});

describe('crashes around the transactional write', () => {
  it('a crash before or after any write of a batch, then a clean retry: every count is exact', async () => {
    const table = uniqueTableName('budget-faults');
    await createAggregateTable(clients.ddb, table);
    const fastRetry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };
    const make = () =>
      new Applier({
        client: faulty.ddb,
        table,
        rollups: [byTotal, byShard],
        write: { api: 'update-item' },
        stateBudgetBytes: BUDGET,
        pruneSampleEvery: 1,
        now: () => NOW,
        retry: fastRetry,
      });
    const applier = make();
    const random = rng(91);
    let crashedInTransaction = 0;
    let lostTransaction = 0;
    for (let b = 0; b < BATCHES; b++)
      for (let i = 0; i < SHARDS; i++) {
        const batch = shardBatches(i)[b] as DynamoDBRecord[];
        const input = { records: batch, shardId: `shardId-${i}` };
        // a crash at a random one of the batch's first four writes, then a lost response, then a clean retry
        faults.crashFrom(1 + Math.floor(random() * 4), random() < 0.5 ? 'fatal' : 'retryable');
        await applier.apply(input).catch(() => undefined);
        if (faults.log.at(-1) === 'TransactWriteItemsCommand' && faults.injected > 0) crashedInTransaction++;
        const at = 1 + Math.floor(random() * 3);
        faults.loseResponse(at);
        await applier.apply(input).catch(() => undefined);
        if (faults.injected > 0 && faults.log[at - 1] === 'TransactWriteItemsCommand') lostTransaction++;
        faults.heal();
        await applier.apply(input);
      }
    const { counts, hot } = await stored(table);
    expect(counts).toEqual(expected());
    expect((hot as Record<string, unknown>)['~tx']).toEqual({ S: 'tx' });
    expect(crashedInTransaction).toBeGreaterThan(0);
    expect(lostTransaction).toBeGreaterThan(0);
  });
});
