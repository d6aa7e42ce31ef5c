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
  metering: 'reported',
  extremumWritesPerEvent: 0,
  extremumRequestsPerEvent: 0,
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
  warmup: { perContender: 300, server: 0 },
  cells,
});

describe('e2eTargets', () => {
  it('compares on the events the baseline consumed when the cells carry per-batch CPU and units', () => {
    // dynotally: 5 batches of 1,000; cheap first (client 0.1 + store 0.4 ms, 1 unit an event), dearer later
    const eo = cell({
      contender: 'eo-row',
      eventsPerSecond: 1_000,
      batchMs: [1_000, 1_000, 1_000, 1_000, 1_000],
      clientCpuMsPerEvent: 0.2,
      serverCpuMsPerEvent: 0.8,
      writeUnitsPerEvent: 1.6,
      batchClientCpuMs: [100, 200, 400, 700, 1_000],
      batchServerCpuMs: [400, 800, 1_800, 2_800, 4_000],
      batchWriteUnits: [1_000, 2_000, 4_000, 6_000, 8_000],
    });
    const naive = cell({ contender: 'naive', events: 2_000, batchMs: [2_000, 2_000] });
    const ui = cell({ contender: 'eo-row-ui', events: 2_000, clientCpuMsPerEvent: 1, writeUnitsPerEvent: 1 });
    const checks = e2eTargets(result([naive, eo, ui]));
    const byTarget = new Map(checks.map((c) => [c.target.replace(/^1,000 a batch: /, ''), c]));
    // naive 2.5 ms an event; dynotally 0.5 over the first 2,000 events, 1.0 over all
    expect(byTarget.get('events per CPU second ≥ 10× naive')).toMatchObject({
      perCpuSecond: 5,
      perCpuSecondOverAll: 2.5,
    });
    expect(byTarget.get("client CPU/event ≤ 0.2× the UpdateItem path's")?.measured).toBeCloseTo(0.1);
    expect(byTarget.get("write units/event ≤ the UpdateItem path's")?.measured).toBeCloseTo(1);
    expect(byTarget.get('write units/event ≤ 0.25× naive')?.measured).toBeCloseTo(1 / 6.3);
  });

  it('judges speed per CPU second against naive, cost against naive and the UpdateItem path', () => {
    const noCpu = { serverCpuMsPerEvent: undefined } as unknown as Partial<E2eCell>;
    const checks = e2eTargets(
      result([
        cell({ contender: 'naive', ...noCpu }),
        cell({ contender: 'eo-row', eventsPerSecond: 600, writeUnitsPerEvent: 1.2, ...noCpu }),
        cell({ contender: 'naive', batchSize: 10_000, eventsPerSecond: 120 }),
        // per event: naive 0.5 + 2 ms of CPU, dynotally 0.05 + 0.05: 25× per CPU second, 50× wall
        cell({
          contender: 'eo-row',
          batchSize: 10_000,
          eventsPerSecond: 6_000,
          writeUnitsPerEvent: 0.5,
          clientCpuMsPerEvent: 0.05,
          serverCpuMsPerEvent: 0.05,
        }),
        cell({
          contender: 'eo-row-ui',
          batchSize: 10_000,
          writeUnitsPerEvent: 0.4,
          clientCpuMsPerEvent: 0.2,
        }),
      ]),
    );
    expect(checks.map((c) => [c.target, c.met, Number(c.measured.toFixed(3))])).toEqual([
      ['1,000 a batch: events per CPU second ≥ 10× naive', false, 6],
      ['10,000 a batch: events per CPU second ≥ 20× naive', true, 50],
      ["10,000 a batch: client CPU/event ≤ 0.2× the UpdateItem path's", false, 0.25],
      ["10,000 a batch: write units/event ≤ the UpdateItem path's", false, 1.25],
      ['1,000 a batch: write units/event ≤ 0.25× naive', true, 0.19],
    ]);
    expect(checks[0]!.shortfall).toBe('reached 0.60 of the required speed-up');
    expect(checks[1]!.perCpuSecond).toBe(25);
  });

  it('marks priced write units and sets them beside what DynamoDB Local reported', () => {
    const md = e2eMarkdown(
      result([
        cell({ contender: 'naive' }),
        cell({
          contender: 'eo-row-ui',
          label: 'ui',
          metering: 'priced',
          writeUnits: 1_234,
          writeUnitsPerEvent: 0.25,
          reportedWriteUnits: 1_234,
          streamChanges: 1_200,
          successfulWrites: 1_200,
        }),
      ]),
    );
    expect(md).toContain('0.25*');
    expect(md).toContain('- ui @1,000: priced 1,234 WU, DynamoDB Local reported 1,234');
  });

  it('marks write units estimated by the Applier in a run without pricing streams', () => {
    const md = e2eMarkdown(
      result([
        cell({ contender: 'naive' }),
        cell({ contender: 'eo-row', label: 'eo', metering: 'estimated', writeUnitsPerEvent: 1.28 }),
      ]),
    );
    expect(md).toContain('1.28†');
    expect(md).toContain('† Write units estimated');
  });

  it('lists the read-back of sampled rows, which is in no write figure', () => {
    const md = e2eMarkdown(
      result([
        cell({ contender: 'naive' }),
        cell({ contender: 'eo-row', label: 'eo', applierReadRequests: 5, applierReadUnits: 350 }),
      ]),
    );
    expect(md).toContain(
      '- eo @1,000: sampled rows read back in 5 `BatchGetItem` requests, 0.070 read units per event',
    );
    expect(md.match(/read back in/g)).toHaveLength(1); // not for naive, which reads nothing back
  });

  it('compares speed on the events both consumed when dynotally consumed more of the stream', () => {
    // dynotally: 10 batches of 1,000; the first 5 (the naive prefix) at 250 ms each, the rest slower.
    const eo = cell({
      contender: 'eo-row',
      events: 10_000,
      batchMs: [250, 250, 250, 250, 250, 750, 750, 750, 750, 750],
      eventsPerSecond: 2_000,
      clientCpuMsPerEvent: 0.1,
      serverCpuMsPerEvent: 0.15,
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
