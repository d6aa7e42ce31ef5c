// Review s42r (a sum beyond 38 digits): a redelivery that starts inside a batch whose rows were all written (a
// bisected half of a batch that failed after its row writes) makes a row's coalesced delta one no DynamoDB number
// holds, though the row already holds every record of it. Records, one shard, group g, June 1:
//   10  INSERT i1  X = 1234567890123456789012345678901234567.8
//   11  MODIFY i1  X → 0.25   (its own delta, 0.25 − X, needs 39 digits)
//   12  INSERT i3  7
// The first delivery writes both rows (0.25 + 7 each). The second, records 11 and 12, sums 7.25 − X on each row:
// the statement's parameters throw NUMBER_OUT_OF_RANGE before anything is sent, and the row was taken for one that
// refuses the records, without asking its condition (which fails: the row's state is at 12). Record by record, 11's
// own delta throws the same way and was taken for refused where the row already holds it.
// Observed (before the fix): 11 dead-lettered as NUMBER_UNREPRESENTABLE with both rows pending, though both hold it
// (a replay of the letter would count it twice in each).
// Expected: a delta no number holds is refused only where the row's condition, asked alone, holds (as a store's
// refusal is); here it fails, the rows hold the records, nothing is dead-lettered and nothing changes.
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
  name: 'tr',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});
const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-06-01T00:00:00.000';
const JUNE = Date.UTC(2026, 5, 1, 12);
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

describe.each<WriteApi>(['partiql', 'update-item'])(
  'a redelivered half whose sum needs 39 digits (%s)',
  (api) => {
    it('finds the rows already hold it, instead of dead-lettering a record they count', async () => {
      const table = uniqueTableName(`s42r-tr-${api}`);
      await createAggregateTable(clients.ddb, table);
      const applier = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [rollup],
        now: () => JUNE + 3_600_000,
        write: { api },
      });
      const batch = [
        record(10, undefined, image('i1', JUNE, X)),
        record(11, image('i1', JUNE, X), image('i1', JUNE, '0.25')),
        record(12, undefined, image('i3', JUNE, '7')),
      ];
      expect((await applier.apply({ records: batch, shardId: 's' })).poison).toEqual([]);
      const rows = async () => {
        const items = await scanTable(clients.ddb, table);
        const month = items.find((i) => i.sk?.S === 'M2026-06');
        const all = items.find((i) => i.sk?.S === 'ALL');
        return [month?.n_1?.N, Number(month?.amt_1?.N), all?.n?.N, Number(all?.amt?.N)];
      };
      expect(await rows()).toEqual(['2', 7.25, '2', 7.25]);
      const { poison } = await applier.apply({ records: batch.slice(1), shardId: 's' });
      expect(poison.map((p) => [Number(p.sequenceNumber), p.error.code, p.pendingRows])).toEqual([]);
      expect(await rows()).toEqual(['2', 7.25, '2', 7.25]);
    });
  },
);
