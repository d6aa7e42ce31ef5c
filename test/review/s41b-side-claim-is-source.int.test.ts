// Review s41b: a stream side (`createVersionedWriteSide`, the handler and the worker built on it) given its SOURCE
// table as its claim table. A backfill refuses that since review s40z (the claims and progress would be written into
// the table the stream side reads); the stream side did not check it.
// Observed (main): the batch bound the version under backfill to the source table as its claim table
// (`v1.claims.table` = the source, for every process after it: the backfill with the real claim table then refused)
// and tried to write its claims there: no CONFIG_INVALID, no clear message.
// Expected: refused with CONFIG_INVALID naming both, before anything is bound, claimed or written.
// Fixed: `checkClaimTableNotSource` (versions/claim-not-source.ts) compares the claim table with the table the
// records' stream ARN names, at the top of every batch and of the dead-letter probe (versions/versioned-write-side.ts).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/versioned-write-side.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeInsertRecord, storeItem } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('a stream side given its source table as its claim table', () => {
  it('is refused with CONFIG_INVALID before anything is bound or written', async () => {
    const items = Array.from({ length: 4 }, (_, i) => storeItem(i));
    const t = await buildingTables(
      clients.ddb,
      's41b-side-src',
      items,
      storeCountRollup.compiled,
      Date.now(),
    );
    const streamOf = (table: string) =>
      `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/2026-12-01T00:00:00.000`;
    const record = { ...storeInsertRecord(9, Date.now()), eventSourceARN: streamOf(t.source) };
    for (const claimTable of [t.source, `arn:aws:dynamodb:eu-west-1:123456789012:table/${t.source}`]) {
      const side = createVersionedWriteSide({
        client: clients.ddb,
        table: t.table,
        claimTable,
        rollups: [storeCountRollup],
      });
      const refused = side.apply({ records: [record], shardId: 'shard-1' });
      await expect(refused).rejects.toThrow(/is the source table/);
      expect(await codeOf(side.apply({ records: [record], shardId: 'shard-1' }))).toBe('CONFIG_INVALID');
    }
    const v1 = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect(v1?.claimTable).toBeUndefined();
    expect((await scanTable(clients.ddb, t.source)).length).toBe(items.length);
    // the claim table it should have been given works
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollups: [storeCountRollup],
    });
    await side.apply({ records: [record], shardId: 'shard-1' });
  });
});
