import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { image, JUNE, record, wideRollup, X } from './wide-delta-fixture.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = wideRollup('tr');

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
