// Review s43r (coverage, no finding: the per-shard transaction path with deltas past 38 digits, against the oracle).
// What: rows written through `TransactWriteItems` (state budget 0 with the rows marked first, and strategy
// 'transaction') take (a) a MODIFY alone whose own delta needs 39 digits (X → 0.25 after X was counted), (b) two
// records in one row whose sum needs 39 digits (X, then 0.25 in the same batch), (c) that batch cut by a crash after
// its first transaction, each redelivered whole and from the middle.
// Observed (main at ce8b37fb): sound. The unsendable delta is refused before the send and lettered
// NUMBER_UNREPRESENTABLE; the batch whose sum does not fit goes record by record, 0.25 lettered, the rest counted;
// after the crash, the redelivery skips what the watermark items pass and letters 0.25 once. No shard blocked,
// nothing counted twice, the rows are the oracle's over the records not lettered, as on the per-row path.
// Expected: as observed (the per-row paths: s42r-take-back-wide-delta, s42r-redelivered-wide-delta).
// Severity: none. Fixed: nothing to fix here; the record counted and lettered found next to these is
// s43r-tx-unsent-wide-delta.
// Break-check: with `refusal` ignored when the chunk is one record (the transaction error rethrown), (a), (b) and
// (c) fail (the batch fails for good: a blocked shard).
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { canonical, image, JUNE, oracleRows, record, wideRollup, X } from './wide-delta-fixture.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = wideRollup('tx');
type Way = 'budget' | 'strategy';
const ZERO = record(9, undefined, image('i0', JUNE, '1'));

async function transactional(api: WriteApi, way: Way, name: string, client = clients.ddb) {
  const table = uniqueTableName(`s43r-${name}-${api}`);
  await createAggregateTable(clients.ddb, table);
  const make = (c = client) =>
    new Applier({
      lateRecords: 'apply',
      client: c,
      table,
      rollups: [rollup],
      now: () => JUNE + 3_600_000,
      write: { api },
      ...(way === 'budget'
        ? { stateBudgetBytes: 0, pruneSampleEvery: 1 }
        : { strategy: 'transaction' as const }),
    });
  const applier = make();
  // the rows are written once, then past the budget: marked transactional before the batches
  await applier.apply({ records: [ZERO], shardId: 's' });
  if (way === 'budget') await applier.apply({ records: [ZERO], shardId: 's' });
  const rows = async () => {
    const items = await scanTable(clients.ddb, table);
    const month = items.find((i) => i.sk?.S === 'M2026-06');
    const all = items.find((i) => i.sk?.S === 'ALL');
    return [canonical(month?.n_1?.N, month?.amt_1?.N), canonical(all?.n?.N, all?.amt?.N)];
  };
  const apply = async (records: DynamoDBRecord[], a = applier) => {
    const out = await a.apply({ records, shardId: 's' });
    return {
      transactions: out.report.transactions,
      letters: out.poison.map((p) => [Number(p.sequenceNumber), p.error.code]),
    };
  };
  return { make, rows, apply };
}

const WAYS: Array<[WriteApi, Way]> = [
  ['update-item', 'budget'],
  ['partiql', 'budget'],
  ['update-item', 'strategy'],
];

describe.each(WAYS)('the transaction path with deltas past 38 digits (%s, by %s)', (api, way) => {
  it('letters a MODIFY whose own delta needs 39 digits, once, and counts the rest', async () => {
    const t = await transactional(api, way, 'ta');
    const insert = record(10, undefined, image('i1', JUNE, X));
    const modify = record(11, image('i1', JUNE, X), image('i1', JUNE, '0.25'));
    expect((await t.apply([insert])).letters).toEqual([]);
    const want = oracleRows([ZERO, insert, modify], [11]);
    for (const batch of [[modify], [modify], [insert, modify]]) {
      expect((await t.apply(batch)).letters).toEqual([[11, 'NUMBER_UNREPRESENTABLE']]);
      expect(await t.rows()).toEqual([want, want]);
    }
  });

  it('letters the record a sum of two cannot take, and nothing twice on redelivery', async () => {
    const t = await transactional(api, way, 'tb');
    const batch = [
      record(10, undefined, image('i1', JUNE, X)),
      record(12, undefined, image('i3', JUNE, '0.25')),
      record(13, undefined, image('i4', JUNE, '7')),
    ];
    const first = await t.apply(batch);
    expect(first.transactions).toBeGreaterThan(0);
    expect(first.letters).toEqual([[12, 'NUMBER_UNREPRESENTABLE']]);
    const want = oracleRows([ZERO, ...batch], [12]);
    expect(await t.rows()).toEqual([want, want]);
    for (const from of [0, 1, 2]) {
      const again = await t.apply(batch.slice(from));
      expect(again.letters).toEqual(from < 2 ? [[12, 'NUMBER_UNREPRESENTABLE']] : []);
      expect(await t.rows()).toEqual([want, want]);
    }
  });

  it('after a crash between its transactions, the redelivered batch counts each record once', async () => {
    let armed = false;
    let sends = 0;
    const dying = heldClient(clients.ddb, async (c) => {
      if (armed && c instanceof TransactWriteItemsCommand && ++sends === 2) throw new Error('dies');
    });
    const t = await transactional(api, way, 'tc', dying);
    armed = true;
    const batch = [
      record(10, undefined, image('i1', JUNE, X)),
      record(12, undefined, image('i3', JUNE, '0.25')),
      record(13, undefined, image('i4', JUNE, '7')),
    ];
    await expect(t.apply(batch)).rejects.toThrow(/dies/);
    // the first transaction (10 alone) committed
    const half = oracleRows([ZERO, batch[0] as DynamoDBRecord], []);
    expect(await t.rows()).toEqual([half, half]);
    const fresh = t.make(clients.ddb);
    const want = oracleRows([ZERO, ...batch], [12]);
    for (let i = 0; i < 2; i++) {
      expect((await t.apply(batch, fresh)).letters).toEqual([[12, 'NUMBER_UNREPRESENTABLE']]);
      expect(await t.rows()).toEqual([want, want]);
    }
  });
});
