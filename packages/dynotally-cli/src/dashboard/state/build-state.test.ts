import type { ApplyReport, QueryClient, WorkerStats } from 'dynotally';
import { describe, expect, it } from 'vitest';
import type { DashboardSources } from '../sources.ts';
import { buildState } from './build-state.ts';

describe('buildState', () => {
  it("counts the handler's poison records among the worker's dead letters", async () => {
    // as the CLI worker's progress line did, the dashboard showed only the worker's own skips
    const worker = {
      records: 9,
      recordsPerSecond: 0,
      iteratorAgeMs: 0,
      idle: true,
      deadLettered: 1,
      errors: 0,
      leasesHeld: 1,
      shards: [],
      workers: 1,
      apply: { poison: 2 } as ApplyReport,
    } as unknown as WorkerStats;
    const state = await buildState({
      query: {} as QueryClient,
      scenarios: [],
      sources: { worker: () => worker } as unknown as DashboardSources,
      freshness: undefined,
      quotas: {},
      at: Date.UTC(2026, 11, 3),
      selection: {} as never,
    });
    expect(state.worker?.deadLettered).toBe(3);
  });
});
