// Review s41b: verify's drift of a rollup grouped by a plain groupBy function (no declared names: the names are not in
// the row key) named each drifted cell's group by position: `{ "0": "s-1" }`, a group no query or `--group` names, and
// unlike top(), which gives such an entry `group: undefined` and its `groupValues`.
// Observed (main): `drift[0].group` = { '0': 's-1' }.
// Expected: as top(): `group` undefined for a plain function (keyed by the attributes, or the declared names,
// otherwise), and `groupValues` (the key's values, in key order) on every drifted cell; the CLI prints such a group as
// top does (`=s-1`).
// Fixed: DriftCell.groupValues, and groupOf (verify/compare-rows.ts); the CLI's drift table prints it with
// topGroupText (commands/verify.ts).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { verify } from '../../packages/dynotally/src/verify/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const byFn = defineRollup({
  name: 'byFn',
  groupBy: (item) => ({ storeId: String(item.storeId) }),
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const items = Array.from({ length: 6 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 2}` },
  t: { N: String(T0 + i) },
}));

describe("verify's drift of a plain groupBy function", () => {
  it('gives the group values, not a group keyed by position', async () => {
    const t = await buildingTables(clients.ddb, 's41b-vfy-fn', items, byFn.compiled);
    const built = await runBackfill({
      ...t,
      client: clients.ddb,
      rollup: byFn,
      segments: 1,
      settleMs: 0,
      promote: true,
    });
    expect(built.complete).toBe(true);
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: 'byFn#ss-1' }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD n :five',
        ExpressionAttributeValues: { ':five': { N: '5' } },
      }),
    );
    const report = await verify({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      rollup: byFn,
      passes: 1,
    });
    expect(report.drift).toHaveLength(1);
    const d = report.drift[0];
    expect(d?.group).toBeUndefined();
    expect(d?.groupValues).toEqual(['s-1']);
    expect([d?.measure, d?.expected, d?.actual]).toEqual(['n', '3', '8']);
  });
});
