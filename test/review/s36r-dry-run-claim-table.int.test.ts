// Review s36r: `runBackfill({ dryRun: true })` (`dynotally backfill --dry-run`) reports the refusal the real run would
// meet (`refused`: a version not building, another segment count, a version registered too long ago; 2197c871,
// 8427e640), but not the real run's refusal of a claim table other than the one the version is bound to
// (`bindClaimTable`: CONFIG_INVALID, "the stream side and the backfill must claim in one table"). A user whose stream
// side (a worker given --claim-table) bound the version to its own table, and who runs the dry run without
// --claim-table (the default dynotally-claims), is told the run would go ahead; the real run is refused at once.
// Expected: the dry run's `refused` names the CONFIG_INVALID the real run throws, as it does the other refusals.
// Fixed: the dry run checks the version's bound claim table as the real run's bindClaimTable does.
// Severity: low (misleading dry run; the real run refuses before it writes a claim, nothing is counted wrong).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { bindClaimTable } from '../../packages/dynotally/src/versions/claim-table-binding.ts';
import { readControl } from '../../packages/dynotally/src/versions/control-store.ts';
import { amounts, amountOrders as items } from '../backfill/amount-orders.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('review s36r: a dry run says the real run’s refusal of another claim table', () => {
  it('a claim table other than the one the version is bound to', async () => {
    const t = await buildingTables(clients.ddb, 's36r-dry-ct', items, amounts.compiled);
    // the stream side bound the version to a claim table of its own
    const scope = (await readControl(clients.ddb, t.table, amounts.compiled.name))?.versions[0]?.claimScope;
    await bindClaimTable(clients.ddb, t.table, amounts.compiled.name, 1, `${t.claimTable}-stream`, scope);
    const base = { ...t, client: clients.ddb, rollup: amounts, segments: 1, settleMs: 0 };
    await expect(runBackfill(base)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const dry = await runBackfill({ ...base, dryRun: true });
    expect(dry.refused?.code).toBe('CONFIG_INVALID');
  });
});
