// A process works through its segments a few at a time (`segmentConcurrency`, default 8): each segment in flight
// holds a chunk, so `segments: 1000` must not mean 1,000 Scans at once. Stopping, resuming and `onlySegments` keep
// working over the queue, and a resumed run's progress starts from what earlier runs scanned.
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BackfillProgress } from '../../packages/dynotally/src/backfill/index.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { scanCounting } from '../support/scan-counting.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount, storeItem } from '../support/store-count-stream.ts';
import { buildingTables } from './backfill-tables.ts';
import { stopAfterFirstChunk } from './stopped-backfill.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const items = Array.from({ length: 60 }, (_, i) => storeItem(i));
const base = { rollup: storeCountRollup, chunkItems: 5, settleMs: 0 };

describe('segments in flight per process', () => {
  it('scans at most segmentConcurrency segments at once, and counts every item once', async () => {
    const t = await buildingTables(clients.ddb, 'bf-conc', items, storeCountRollup.compiled);
    // the first Scan waits for a second (up to 20 s): segments taking their state slots at once can space the Scans
    // out on a loaded machine, and `most() > 1` would then fail by timing alone (seen in CI at load 8)
    const { client, most } = scanCounting(clients.ddb, t.source, { awaitPeerMs: 20_000 });
    const report = await runBackfill({ ...t, ...base, client, segments: 12, segmentConcurrency: 3 });
    expect(report.complete).toBe(true);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(items.length));
    expect(most()).toBeLessThanOrEqual(3);
    expect(most()).toBeGreaterThan(1);
  });

  it('defaults to 8 segments at once', async () => {
    const t = await buildingTables(clients.ddb, 'bf-conc-def', items, storeCountRollup.compiled);
    const { client, most } = scanCounting(clients.ddb, t.source);
    const report = await runBackfill({ ...t, ...base, client, segments: 24 });
    expect(report.complete).toBe(true);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(items.length));
    expect(most()).toBeLessThanOrEqual(8);
  });

  it('refuses a bad segmentConcurrency', async () => {
    const t = await buildingTables(clients.ddb, 'bf-conc-bad', items, storeCountRollup.compiled);
    for (const segmentConcurrency of [0, 1.5, 1001])
      expect(await codeOf(runBackfill({ ...t, ...base, client: clients.ddb, segmentConcurrency }))).toBe(
        'CONFIG_INVALID',
      );
  });

  it('a run stopped with segments still waiting resumes them and counts every item once', async () => {
    const t = await buildingTables(clients.ddb, 'bf-conc-stop', items, storeCountRollup.compiled);
    await stopAfterFirstChunk({ ...t, ...base, client: clients.ddb, segments: 6, segmentConcurrency: 2 });
    const report = await runBackfill({ ...t, ...base, client: clients.ddb, segmentConcurrency: 2 });
    expect(report).toMatchObject({ complete: true, progress: { segments: 6 } });
    expect(await storeCount(clients.ddb, t.table)).toBe(String(items.length));
  });
});

describe('onlySegments', () => {
  it('two processes with parts of the segments build the version together', async () => {
    const t = await buildingTables(clients.ddb, 'bf-only', items, storeCountRollup.compiled);
    const first = await runBackfill({
      ...t,
      ...base,
      client: clients.ddb,
      segments: 5,
      onlySegments: [0, 2, 4],
    });
    expect(first.complete).toBe(false);
    expect(first.progress).toMatchObject({ ownSegments: 3, segmentsDone: 3, estimatedOwnItems: 36 });
    const second = await runBackfill({
      ...t,
      ...base,
      client: clients.ddb,
      segments: 5,
      onlySegments: [3, 1, 3],
    });
    expect(second.complete).toBe(true);
    expect(second.progress).toMatchObject({ ownSegments: 2, segmentsDone: 2 });
    expect(await storeCount(clients.ddb, t.table)).toBe(String(items.length));
  });

  it('refuses a segment outside the count before scanning anything', async () => {
    const t = await buildingTables(clients.ddb, 'bf-only-bad', items, storeCountRollup.compiled);
    for (const onlySegments of [[0, 4], [-1], [1.5], []])
      expect(
        await codeOf(runBackfill({ ...t, ...base, client: clients.ddb, segments: 4, onlySegments })),
      ).toBe('CONFIG_INVALID');
    expect(await storeCount(clients.ddb, t.table)).toBeUndefined();
  });
});

describe('progress of a resumed run', () => {
  it('counts what earlier runs scanned: share and ETA are of the whole build', async () => {
    const t = await buildingTables(clients.ddb, 'bf-eta', items, storeCountRollup.compiled);
    await stopAfterFirstChunk({ ...t, ...base, client: clients.ddb, segments: 3 });
    const seen: BackfillProgress[] = [];
    const report = await runBackfill({ ...t, ...base, client: clients.ddb, onProgress: (p) => seen.push(p) });
    const p = report.progress;
    expect(p.estimatedOwnItems).toBe(items.length);
    expect(p.scannedBefore).toBeGreaterThan(0);
    // every item scanned once, by one run or the other
    expect(p.scannedBefore + p.scanned).toBe(items.length);
    expect(p.etaMs).toBe(0);
    // the first report of the resumed run already counts the earlier scan
    expect(seen[0]?.scannedBefore).toBe(p.scannedBefore);
  });
});
