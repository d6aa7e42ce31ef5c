// Review s42v (coverage, no finding: the per-shard transaction path of s42r-redelivered-wide-delta). The same records
// (10 INSERT X = 38 digits, 11 MODIFY X -> 0.25, 12 INSERT 7), with a state budget of 0 and the rows marked
// transactional before the batch (record 9 written twice, sampled), so the batch goes through one transaction, then
// redelivered from record 11 or 12. Concern: a delta no DynamoDB number holds throws there before anything is sent
// (write-transactional-rows.ts: `items` stays empty, so "believed only if every condition holds" is skipped), and the
// record would be refused where the rows hold it. Observed: sound, the rollup's watermark item (moved in the same
// transaction) is past the redelivered records, so nothing is planned; the rows keep 3 / 8.25, nothing is lettered.
// The per-row variant (update-item, default budget, from 2) is s42r's control. Break-checked: see the report of s42v.
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

describe.each<[WriteApi, number | undefined, number]>([
  ['update-item', 0, 1],
  ['update-item', 0, 2],
  ['partiql', 0, 1],
  ['update-item', undefined, 2],
])(
  'a redelivered cut whose sum needs 39 digits (%s, state budget %s, from record index %s)',
  (api, budget, from) => {
    it('finds the rows already hold it, instead of dead-lettering a record they count', async () => {
      const table = uniqueTableName(`s42v-tr-${api}`);
      await createAggregateTable(clients.ddb, table);
      const applier = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [rollup],
        now: () => JUNE + 3_600_000,
        write: { api },
        ...(budget === undefined ? {} : { stateBudgetBytes: budget, pruneSampleEvery: 1 }),
      });
      const batch = [
        record(10, undefined, image('i1', JUNE, X)),
        record(11, image('i1', JUNE, X), image('i1', JUNE, '0.25')),
        record(12, undefined, image('i3', JUNE, '7')),
      ];
      if (budget === 0) {
        // the rows are written once, then past the budget: marked transactional before the batch
        await applier.apply({ records: [record(9, undefined, image('i0', JUNE, '1'))], shardId: 's' });
        await applier.apply({ records: [record(9, undefined, image('i0', JUNE, '1'))], shardId: 's' });
      }
      const first = await applier.apply({ records: batch, shardId: 's' });
      // the transaction path is the one under test: the batch went through it
      expect(first.report.transactions > 0).toBe(budget === 0);
      expect(first.poison).toEqual([]);
      const rows = async () => {
        const items = await scanTable(clients.ddb, table);
        const month = items.find((i) => i.sk?.S === 'M2026-06');
        const all = items.find((i) => i.sk?.S === 'ALL');
        return [month?.n_1?.N, Number(month?.amt_1?.N), all?.n?.N, Number(all?.amt?.N)];
      };
      expect(await rows()).toEqual(budget === 0 ? ['3', 8.25, '3', 8.25] : ['2', 7.25, '2', 7.25]);
      const { poison } = await applier.apply({ records: batch.slice(from), shardId: 's' });
      expect(poison.map((p) => [Number(p.sequenceNumber), p.error.code, p.pendingRows])).toEqual([]);
      expect(await rows()).toEqual(budget === 0 ? ['3', 8.25, '3', 8.25] : ['2', 7.25, '2', 7.25]);
    });
  },
);
