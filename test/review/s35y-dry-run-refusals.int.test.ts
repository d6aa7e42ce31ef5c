// Review s35y: `runBackfill({ dryRun: true })` (`dynotally backfill --dry-run`) reports the refusal the real run
// would meet (`refused`), but only a version that is not building: the real run also refuses a count of segments
// other than the one its backfill started with, and a version registered over 30 days ago (its claims may have
// expired), both BACKFILL_REFUSED, while the dry run said it would run (fixed: `refused` names them too).
// Session 38 (noticed by review s38u): a definition with no version (no control item, or a definition never
// deployed) and `register` with no control item were thrown by the dry run as by the real run, so
// `backfill --dry-run` exited 1 with no estimate: a user weighing a backfill before deploying got none. They are
// reported as `refused`, with the estimate.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { recordBackfill } from '../../packages/dynotally/src/versions/control-store.ts';
import { amounts, amountOrders as items } from '../backfill/amount-orders.ts';
import { backfillTables, buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());
const DAY = 86_400_000;

describe('review s35y: a dry run says every refusal of the real run', () => {
  it('a count of segments other than the started backfill’s', async () => {
    const t = await buildingTables(clients.ddb, 's35y-dry-seg', items, amounts.compiled);
    await recordBackfill(clients.ddb, t.table, amounts.compiled.name, 1, {
      startedAt: Date.now(),
      segments: 4,
    });
    const base = { ...t, client: clients.ddb, rollup: amounts, segments: 2, settleMs: 0 };
    await expect(runBackfill(base)).rejects.toMatchObject({ code: 'BACKFILL_REFUSED' });
    const dry = await runBackfill({ ...base, dryRun: true });
    expect(dry.refused?.code).toBe('BACKFILL_REFUSED');
  });

  it('a version registered over 30 days ago', async () => {
    const t = await buildingTables(
      clients.ddb,
      's35y-dry-old',
      items,
      amounts.compiled,
      Date.now() - 40 * DAY,
    );
    const base = { ...t, client: clients.ddb, rollup: amounts, segments: 1, settleMs: 0 };
    await expect(runBackfill(base)).rejects.toMatchObject({ code: 'BACKFILL_REFUSED' });
    const dry = await runBackfill({ ...base, dryRun: true });
    expect(dry.refused?.code).toBe('BACKFILL_REFUSED');
  });

  it('a definition with no version, and register with no control item, with the estimate', async () => {
    const t = await backfillTables(clients.ddb, 's35y-dry-none', items); // nothing registered: no control item
    const base = { ...t, client: clients.ddb, rollup: amounts, segments: 1, settleMs: 0 };
    await expect(runBackfill(base)).rejects.toMatchObject({ code: 'VERSION_UNKNOWN' });
    const dry = await runBackfill({ ...base, dryRun: true });
    expect(dry.refused?.code).toBe('VERSION_UNKNOWN');
    expect(dry.estimate?.items).toBe(items.length);
    expect(dry.version).toBe(1);
    await expect(runBackfill({ ...base, register: true })).rejects.toMatchObject({
      code: 'BACKFILL_REFUSED',
    });
    const dryRegister = await runBackfill({ ...base, register: true, dryRun: true });
    expect(dryRegister.refused?.code).toBe('BACKFILL_REFUSED');
    expect(dryRegister.refused?.message).toMatch(/has no control item/);
    expect(dryRegister.estimate?.items).toBe(items.length);
  });
});
