// verify scans its segments a few at a time (`segmentConcurrency`, default 8, as a backfill does): the source's
// Scan and the stored rows' Scan run one after the other, each `segmentConcurrency` segments at once, so
// `segments: 1000` never means 1,000 Scans in flight. The result is the same as with every segment at once.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { verify } from '../../packages/dynotally/src/verify/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { scanCounting } from '../support/scan-counting.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeItem } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const items = Array.from({ length: 60 }, (_, i) => storeItem(i));

/** Tables whose source holds `items`, counted into version 1 of rollup `store` by a backfill, which serves. */
async function served(prefix: string): Promise<{ source: string; table: string }> {
  const t = await buildingTables(clients.ddb, prefix, items, storeCountRollup.compiled);
  const built = await runBackfill({
    ...t,
    client: clients.ddb,
    rollup: storeCountRollup,
    settleMs: 0,
    promote: true,
  });
  expect(built.complete).toBe(true);
  return { source: t.source, table: t.table };
}

describe('verify: segments in flight per process', () => {
  it('scans at most segmentConcurrency segments at once, and finds no drift', async () => {
    const t = await served('vf-conc');
    // the first Scan waits for a second (up to 20 s), so a loaded machine cannot space the Scans out
    const { client, most } = scanCounting(clients.ddb, undefined, { awaitPeerMs: 20_000 });
    const report = await verify({
      ...t,
      client,
      rollup: storeCountRollup,
      segments: 12,
      segmentConcurrency: 3,
      passes: 1,
    });
    expect(report).toMatchObject({ drift: [], scannedItems: items.length, rows: 1 });
    expect(most()).toBeLessThanOrEqual(3);
    expect(most()).toBeGreaterThan(1);
  });

  it('defaults to 8 segments at once', async () => {
    const t = await served('vf-conc-def');
    // the first Scan waits for a second (up to 20 s), so a loaded machine cannot space the Scans out
    const { client, most } = scanCounting(clients.ddb, undefined, { awaitPeerMs: 20_000 });
    const report = await verify({ ...t, client, rollup: storeCountRollup, segments: 24, passes: 1 });
    expect(report).toMatchObject({ drift: [], scannedItems: items.length });
    expect(most()).toBeLessThanOrEqual(8);
    expect(most()).toBeGreaterThan(1);
  });

  it('refuses a bad segmentConcurrency before scanning anything', async () => {
    const t = await served('vf-conc-bad');
    const { client, most } = scanCounting(clients.ddb);
    for (const segmentConcurrency of [0, 1.5, 1001])
      expect(await codeOf(verify({ ...t, client, rollup: storeCountRollup, segmentConcurrency }))).toBe(
        'CONFIG_INVALID',
      );
    expect(most()).toBe(0);
  });
});
