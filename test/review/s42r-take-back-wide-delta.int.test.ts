// Review s42r (a sum beyond 38 digits): a record refused in one row must be taken back from the others, but its
// own delta there may need more than 38 digits, each of its images fitting: a MODIFY of an amount from
// X = 1234567890123456789012345678901234567.8 to 0.25 adds 0.25 − X (39 digits). Records, one shard, group g (the
// day packed in the month row, and the all-time row, which already holds 5e36 from a May record):
//   10  INSERT i1  X
//   11  MODIFY i1  X → 0.25
// The month row takes the batch (X + 0.25 − X = 0.25). The all-time row refuses it (5e36 + 0.25: 39 digits);
// record by record it takes 10 and refuses 11 (its delta cannot be written), so 11 is a NUMBER_UNREPRESENTABLE
// letter, to be taken back from the month row: an ADD of X − 0.25, which no DynamoDB number holds.
// Observed (before the fix): the take-back's parameters threw NUMBER_OUT_OF_RANGE (compensationUpdateParams), the
// whole batch failed after 11's exclusion was recorded, and every redelivery failed the same way (the carried
// exclusion is settled by the same take-back): the shard was blocked for good.
// Expected: the month row keeps 11, as a row whose sum without the record cannot be stored does (the letter leaves
// it out: pendingRows names the all-time row only), the batch is applied, and a redelivery changes nothing.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = defineRollup({
  name: 'tw',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});
const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-06-01T00:00:00.000';
const JUNE = Date.UTC(2026, 5, 1, 12);
const MAY = Date.UTC(2026, 4, 10, 12);
const X = '1234567890123456789012345678901234567.8';

const image = (id: string, ts: number, amount: string) => ({
  id: { S: id },
  g: { S: 'g' },
  ts: { N: String(ts) },
  amount: { N: amount },
});
const record = (seq: number, old: ReturnType<typeof image> | undefined, neu: ReturnType<typeof image>) =>
  ({
    eventID: `e${seq}`,
    eventName: old === undefined ? 'INSERT' : 'MODIFY',
    eventSourceARN: ARN,
    dynamodb: {
      SequenceNumber: String(seq).padStart(21, '0'),
      ApproximateCreationDateTime: JUNE / 1000,
      Keys: { id: neu.id },
      ...(old === undefined ? {} : { OldImage: old }),
      NewImage: neu,
    },
  }) as DynamoDBRecord;

describe.each<WriteApi>(['partiql', 'update-item'])('a take-back whose delta needs 39 digits (%s)', (api) => {
  it('keeps the record in that row instead of failing the batch for good', async () => {
    const table = uniqueTableName(`s42r-tw-${api}`);
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [rollup],
      now: () => JUNE + 3_600_000,
      write: { api },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await applier.apply({ records: [record(5, undefined, image('i0', MAY, '5e36'))], shardId: 's' });
    const batch = [
      record(10, undefined, image('i1', JUNE, X)),
      record(11, image('i1', JUNE, X), image('i1', JUNE, '0.25')),
    ];
    const { poison } = await applier.apply({ records: batch, shardId: 's' });
    expect(poison.map((p) => [Number(p.sequenceNumber), p.error.code, p.pendingRows])).toEqual([
      [11, 'NUMBER_UNREPRESENTABLE', [{ pk: 'tw#sg', sk: 'ALL' }]],
    ]);
    const rows = async () => {
      const items = await scanTable(clients.ddb, table);
      const month = items.find((i) => i.sk?.S === 'M2026-06');
      const all = items.find((i) => i.sk?.S === 'ALL');
      return [
        month?.n_1?.N,
        month?.amt_1?.N?.replace(/0+$/, ''),
        all?.n?.N,
        all?.amt?.N?.replace(/\.?0+$/, ''),
      ];
    };
    // the month row keeps 11 (0.25, one item); the all-time row holds the May item and 10 (5e36 + X, two items)
    const want = ['1', '0.25', '2', '6234567890123456789012345678901234567.8'];
    expect(await rows()).toEqual(want);
    const again = await applier.apply({ records: batch, shardId: 's' });
    expect(again.poison.map((p) => Number(p.sequenceNumber))).toEqual([11]);
    expect(await rows()).toEqual(want);
  });
});
