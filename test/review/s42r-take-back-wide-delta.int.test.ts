import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { image, JUNE, MAY, record, wideRollup, X } from './wide-delta-fixture.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = wideRollup('tw');

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
