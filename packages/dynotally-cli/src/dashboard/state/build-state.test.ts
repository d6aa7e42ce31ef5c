import { type ApplyReport, DynotallyError, type QueryClient, type WorkerStats } from 'dynotally';
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

  it('says S4 waits for Redis when its reads fail with REDIS_UNAVAILABLE (review s41s)', async () => {
    // a Redis the stack did not start (a wiring given to startDevStack) is waited out: a bare code read as a stop
    const down = async () => {
      throw new DynotallyError('REDIS_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:6390');
    };
    const state = await buildState({
      query: { totalMany: down, series: down } as unknown as QueryClient,
      scenarios: ['s4'],
      sources: {} as DashboardSources,
      freshness: undefined,
      quotas: {},
      at: Date.UTC(2026, 11, 3),
      selection: {} as never,
    });
    expect(state.errors.s4).toMatch(/^REDIS_UNAVAILABLE: connect ECONNREFUSED.*S4 waits for Redis/);
  });
});
