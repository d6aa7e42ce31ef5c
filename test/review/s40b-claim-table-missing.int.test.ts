// Review s40b: a backfill given a claim table that does not exist (a typo in `claimTable`; the CLI creates the
// table it is given, the library does not) bound the version to it before anything checked it: the first process to
// claim for a version records its claim table for good, and every later one given another is refused. The backfill
// then failed on its first claim read (ResourceNotFoundException), the binding stayed, and every stream side with
// the real claim table was refused (CONFIG_INVALID) on every batch of the rollup from then on: the shard blocked, a
// Lambda's records given up after MaximumRecordAge, and no way to rebind but retiring the version.
// Observed (main): runBackfill with claimTable 'nope-…' failed ResourceNotFoundException; v1.claims.table was
// 'nope-…'; the stream side given the real claim table failed its batch with CONFIG_INVALID.
// Expected: the backfill checks the claim table (it exists, keyed by `pk` alone, as createClaimTable makes it) before
// it binds the version, and refuses one that is missing or keyed otherwise (TABLE_NOT_FOUND / TABLE_SCHEMA_MISMATCH);
// the version stays unbound, and the stream side goes on.
// Fixed: runBackfill checks the claim table with `requireTable` (tables/existing-table.ts: DescribeTable, compared
// with `claimTableSpec` by `assertTableFits`, provision-table.ts) right before `bindClaimTable`. The stream side is
// left as it was: its own claims fail on a missing table on every batch, so a typo there shows at once (and its
// grants have no DescribeTable on the claim table).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/versioned-write-side.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);
const items = Array.from({ length: 6 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: 's-0' },
  t: { N: String(T0 + i) },
}));
const codeOrName = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: string; name?: string }) => e.code ?? e.name,
  );

describe('a backfill given a claim table that is not one', () => {
  it('refuses a missing table, or the aggregate table, before binding the version to it', async () => {
    const t = await buildingTables(clients.ddb, 's40b-ctm', items, rollup.compiled);
    const base = { client: clients.ddb, source: t.source, table: t.table, rollup, settleMs: 0 };
    const missing = uniqueTableName('nope');
    expect(await codeOrName(runBackfill({ ...base, claimTable: missing }))).toBe('TABLE_NOT_FOUND');
    expect(await codeOrName(runBackfill({ ...base, claimTable: t.table }))).toBe('TABLE_SCHEMA_MISMATCH');
    const v = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect(v?.claimTable).toBeUndefined();
    // the stream side with the real claim table goes on
    const insert = insertRecords();
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollups: [rollup],
    });
    await side.apply({
      records: [insert('o-new', { storeId: { S: 's-0' }, t: { N: String(T0 + 99) } })],
      shardId: 'shard-1',
    });
    const done = await runBackfill({ ...base, claimTable: t.claimTable });
    expect(done.complete).toBe(true);
  });
});
