import { describe, expect, it } from 'vitest';
import type { E2eCell, E2eResult } from '../suites/e2e.ts';
import { e2eMarkdown, e2eTargets, rateOverFirst } from './e2e-table.ts';

const cell = (over: Partial<E2eCell>): E2eCell => ({
  contender: 'naive',
  batchSize: 1_000,
  events: 5_000,
  label: over.contender ?? 'naive',
  settings: '',
  prefix: false,
  batches: 5,
  batchMs: [2_000, 2_000, 2_000, 2_000, 2_000],
  largestBatch: 1_000,
  seconds: 10,
  eventsPerSecond: 100,
  writes: 31_500,
  writesPerEvent: 6.3,
  requestsPerEvent: 6.3,
  writeUnits: 31_500,
  writeUnitsPerEvent: 6.3,
  dollarsPerMillionEvents: 3.94,
  freshnessP50Ms: 1_500,
  freshnessP99Ms: 2_000,
  clientCpuMsPerEvent: 0.5,
  serverCpuMsPerEvent: 2,
  correct: true,
  wrongAggregates: 0,
  ...over,
});

const result = (cells: E2eCell[]): E2eResult => ({
  events: 100_000,
  seed: 1,
  streamRecords: 100_000,
  shards: 1,
  load: { operations: 100_000, requests: 4_000, seconds: 100, operationsPerSecond: 1_000 },
  streamReadSeconds: 30,
  streamMatchesWorkload: true,
  cells,
});

describe('e2eTargets', () => {
  it('judges speed and cost against naive at the same batch size', () => {
    const checks = e2eTargets(
      result([
        cell({ contender: 'naive' }),
        cell({ contender: 'eo-row', eventsPerSecond: 600, writeUnitsPerEvent: 1.2 }),
        cell({ contender: 'naive', batchSize: 10_000, eventsPerSecond: 120 }),
        cell({ contender: 'eo-row', batchSize: 10_000, eventsPerSecond: 6_000, writeUnitsPerEvent: 0.5 }),
      ]),
    );
    expect(checks.map((c) => [c.met, Number(c.measured.toFixed(3))])).toEqual([
      [false, 6],
      [true, 0.19],
      [true, 50],
    ]);
    expect(checks[0]!.shortfall).toBe('reached 0.60 of the required speed-up');
  });

  it('compares speed on the events both consumed when dynotally consumed more of the stream', () => {
    // dynotally: 10 batches of 1,000; the first 5 (the naive prefix) at 250 ms each, the rest slower.
    const eo = cell({
      contender: 'eo-row',
      events: 10_000,
      batchMs: [250, 250, 250, 250, 250, 750, 750, 750, 750, 750],
      eventsPerSecond: 2_000,
    });
    expect(rateOverFirst(eo, 5_000)).toBe(4_000);
    expect(rateOverFirst(eo, 20_000)).toBe(2_000);
    const [speed] = e2eTargets(result([cell({ contender: 'naive' }), eo]));
    expect(speed!.measured).toBe(40);
    expect(speed!.overAllEvents).toBe(20);
    expect(speed!.met).toBe(true);
  });

  it('never counts a wrong contender as fast', () => {
    const r = result([
      cell({ contender: 'naive' }),
      cell({ contender: 'eo-row', eventsPerSecond: 100_000, correct: false, wrongAggregates: 7 }),
    ]);
    expect(e2eTargets(r)).toEqual([]);
    const md = e2eMarkdown(r);
    expect(md).toContain('WRONG (7 aggregates differ)');
    expect(md).not.toContain('100,000 |');
  });
});
