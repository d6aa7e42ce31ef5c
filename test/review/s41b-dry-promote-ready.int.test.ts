// Review s41b: a dry run of `backfill --promote` (`runBackfill({ promote: true, dryRun: true })`) of a version that is
// already `ready` (its backfill ended, the promotion did not follow). Since s40b the real run scans nothing and only
// promotes it; the dry run still estimated a full scan of the source (its reads, writes, dollars and time).
// Observed (main): `estimate.readUnits` > 0, `estimate.items` the table's item count, nothing saying it would only
// promote.
// Expected: the dry run says the real run would promote without a scan (`promoteOnly: true`, a zero estimate), and
// whether it would hold it instead (`held`).
// Fixed: runBackfill's dry run of a ready version with `promote` (backfill/run-backfill.ts); the CLI prints it
// (commands/backfill.ts).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const items: Record<string, AttributeValue>[] = Array.from({ length: 30 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 3}` },
  pad: { S: 'x'.repeat(5_000) },
  t: { N: String(T0 + i) },
}));

describe('a dry run of backfill --promote of a ready version', () => {
  it('says it would promote without a scan', async () => {
    const t = await buildingTables(clients.ddb, 's41b-dry-ready', items, storeCountRollup.compiled);
    const base = { ...t, client: clients.ddb, rollup: storeCountRollup, segments: 1, settleMs: 0 };
    const built = await runBackfill({ ...base, promote: false });
    expect(built.complete).toBe(true);
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.state).toBe('ready');
    const dry = await runBackfill({ ...base, promote: true, dryRun: true, readUnitsPerSecond: 10 });
    expect(dry.refused).toBeUndefined();
    expect(dry.promoteOnly).toBe(true);
    expect(dry.held).toBe(false);
    expect(dry.estimate).toMatchObject({ items: 0, readUnits: 0, writeUnits: 0, dollars: 0, seconds: 0 });
    // the dry run changed nothing
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.state).toBe('ready');
    // without promote a ready version is refused as before (nothing to build)
    const plain = await runBackfill({ ...base, dryRun: true });
    expect(plain.promoteOnly).toBeUndefined();
    expect(plain.refused?.code).toBe('BACKFILL_REFUSED');
  });
});
