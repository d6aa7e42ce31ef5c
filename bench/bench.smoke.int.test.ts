// Tiny pieces of every bench suite, so the bench code cannot rot; `npm run bench` runs the real thing.
// No timing assertions: only that each suite runs, its figures are consistent and its checks bite.
import { describe, expect, it } from 'vitest';
import { ddbReady } from '../test/support/ddb.ts';
import { e2eMarkdown } from './report/e2e-table.ts';
import { foldMarkdown } from './report/fold-table.ts';
import { footprintMarkdown } from './report/footprint-table.ts';
import { runE2eBench } from './suites/e2e.ts';
import { runFoldBench } from './suites/fold.ts';
import { runFootprintBench } from './suites/footprint.ts';

describe('bench smoke', () => {
  it('fold: 2,000 records', () => {
    const r = runFoldBench({ records: 2_000 });
    expect(r.records).toBe(2_000);
    expect(r.rowsPlanned).toBeGreaterThan(0);
    expect(r.cpuSeconds).toBeGreaterThan(0);
    expect(foldMarkdown(r)).toContain('records per CPU second');
  });

  // minutes of DynamoDB Local work under load: at load average 35 this case passed 240 s and timed out
  it('e2e: 300 events through the stream into dynotally exactly-once and naive, both equal to the oracle', {
    timeout: 900_000,
  }, async () => {
    const endpoint = await ddbReady();
    const result = await runE2eBench({
      endpoint,
      events: 300,
      cells: [
        { contender: 'eo-row', batchSize: 100, events: 300 },
        { contender: 'naive', batchSize: 100, events: 300 },
      ],
      warmupEvents: 0,
      tablePrefix: `smoke-${process.pid}-${Date.now().toString(36)}`,
    });
    expect(result.streamRecords).toBe(300);
    expect(result.streamMatchesWorkload).toBe(true);
    const [eo, naive] = result.cells;
    for (const cell of [eo!, naive!]) {
      expect(cell.error).toBeUndefined();
      expect(cell.correct).toBe(true);
      expect(cell.batches).toBe(3);
      expect(cell.prefix).toBe(false);
    }
    // The meter, which sees every contender's requests alike, agrees with the Applier's own accounting.
    expect(eo!.writeUnits).toBe(eo!.applierWriteUnits);
    // Naive: one ADD per granularity (6), twice for a MODIFY, each a sub-1 KB item: units = writes.
    expect(naive!.writesPerEvent).toBeGreaterThanOrEqual(6);
    expect(naive!.writeUnits).toBe(naive!.writes);
    expect(eo!.writesPerEvent).toBeLessThan(naive!.writesPerEvent);
    expect(e2eMarkdown(result)).toContain('dynotally exactly-once (row-watermark)');
  });

  it('footprint: the dynotally handler bundles and imports', { timeout: 480_000 }, async () => {
    const [r] = await runFootprintBench({ handlers: ['dynotally'], importRuns: 1 });
    expect(r!.bundleBytes).toBeGreaterThan(r!.bundleGzipBytes);
    expect(r!.bundleWithoutSdkBytes).toBeLessThan(r!.bundleBytes);
    expect(r!.coldImportMs).toBeGreaterThan(0);
    expect(footprintMarkdown([r!])).toContain('dynotally');
  });
});
