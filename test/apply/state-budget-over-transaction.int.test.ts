// The state budget's per-shard transaction path (row-watermark: rows whose exactly-once state passed the budget,
// or that another shard marked) writes a record's rows of one rollup with that rollup's `~wt#` item in one
// transaction; a record whose rows of one rollup may hold more than one transaction carries (DynamoDB's 4 MB,
// TRANSACTION_BYTES_BUDGET) cannot be split from its item, so it is refused before anything is sent: an
// ITEM_TOO_LARGE dead letter naming the 4 MB, taken back from its per-row rows, no trace in any aggregate, and the
// shard goes on. Here a MODIFY moves an item between groups of a rollup of 5 row kinds keeping last() strings:
// 10 rows another shard marked, each counted at its kind's bound plus the applier's state budget (300,000 bytes),
// 3.8 MB. A redelivery of the batch dead-letters it again, with the same cause (it said "400 KB" before: the
// exclusion kept only "too large").
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, last, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { counterCells } from './budget-support.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const T = '1763800000000';
const NOW = 1_763_800_060_000;

const labels = defineRollup({
  name: 'labels',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'all'],
  measures: { n: count(), label: last('label'), note: last('note') },
});
const totals = defineRollup({
  name: 'totals',
  groupBy: 'kind',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

type Image = Record<string, AttributeValue>;
const image = (id: string, g: string, kind: string, amount: number, label: string): Image => ({
  id: { S: id },
  g: { S: g },
  kind: { S: kind },
  amount: { N: String(amount) },
  label: { S: label },
  note: { S: `note of ${label}` },
  t: { N: T },
});

function record(seq: number, oldImage: Image | undefined, newImage: Image): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: oldImage === undefined ? 'INSERT' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: newImage.id as AttributeValue },
      ...(oldImage === undefined ? {} : { OldImage: oldImage }),
      NewImage: newImage,
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: 1_763_800_000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The counters, zeros left out (a take-back may leave a row at 0). */
async function counters(table: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    Object.entries(await counterCells(clients.ddb, table)).filter(([, v]) => v !== '0'),
  );
}

/** The labels rows as stored, whole. */
async function labelRows(table: string) {
  return (await scanTable(clients.ddb, table))
    .filter((i) => i.pk?.S?.startsWith('labels#'))
    .sort((a, b) => `${a.pk?.S}${a.sk?.S}`.localeCompare(`${b.pk?.S}${b.sk?.S}`));
}

describe('state budget: a record whose rows of one rollup cannot fit one transaction', () => {
  it('becomes an ITEM_TOO_LARGE dead letter naming the 4 MB, leaves no trace, and the shard goes on', async () => {
    const table = uniqueTableName('budget-over-tx');
    await createAggregateTable(clients.ddb, table);
    // shard A marks the labels rows of groups X and Y (every row past its budget of 0)
    const a = new Applier({
      client: clients.ddb,
      table,
      rollups: [labels],
      stateBudgetBytes: 0,
      pruneSampleEvery: 1,
      now: () => NOW,
    });
    await a.apply({
      records: [
        record(101, undefined, image('a1', 'X', 'K1', 1, 'a1')),
        record(102, undefined, image('a2', 'Y', 'K1', 1, 'a2')),
      ],
      shardId: 'shard-A',
    });
    // shard B learns them marked (its per-row writes refused): from then on they are transactional rows to it,
    // counted at their kind's bound plus its state budget; its totals rows are per-row
    const b = new Applier({
      client: clients.ddb,
      table,
      rollups: [labels, totals],
      stateBudgetBytes: 300_000,
      pruneSampleEvery: 0,
      now: () => NOW,
    });
    const b1 = image('b1', 'X', 'K1', 1, 'b1');
    await b.apply({
      records: [record(201, undefined, b1), record(202, undefined, image('b2', 'Y', 'K1', 1, 'b2'))],
      shardId: 'shard-B',
    });
    const before = await counters(table);
    expect(before).toMatchObject({ 'labels#sX|n': '2', 'labels#sY|n': '2', 'totals#sK1|total': '2' });
    const rowsBefore = await labelRows(table);
    expect(rowsBefore).toHaveLength(10);
    expect(rowsBefore.every((r) => r['~tx'] !== undefined)).toBe(true);

    // b1 moves from X to Y (10 labels rows) and from K1 to K2 (per-row totals rows)
    const moved = [record(203, b1, image('b1', 'Y', 'K2', 5, 'moved'))];
    for (const delivery of ['first', 'redelivered']) {
      const { poison } = await b.apply({ records: moved, shardId: 'shard-B' });
      expect(poison, delivery).toHaveLength(1);
      expect(poison[0]?.sequenceNumber).toBe('203'.padStart(40, '0'));
      expect(poison[0]?.error.code).toBe('ITEM_TOO_LARGE');
      expect(poison[0]?.error.message).toMatch(/4 MB a transaction may carry/);
      expect(poison[0]?.error.message).not.toMatch(/400 KB item limit with this record's shard state/);
      // no trace: no counter moved, the labels rows (and their last() values) untouched
      expect(await counters(table)).toEqual(before);
      expect(await labelRows(table)).toEqual(rowsBefore);
    }

    // the shard is not blocked: its next batch counts
    const { poison } = await b.apply({
      records: [record(204, undefined, image('b3', 'Z', 'K1', 1, 'b3'))],
      shardId: 'shard-B',
    });
    expect(poison).toEqual([]);
    expect(await counters(table)).toMatchObject({
      ...before,
      'labels#sZ|n': '1',
      'totals#sK1|n': '3',
      'totals#sK1|total': '3',
    });
  });
});
