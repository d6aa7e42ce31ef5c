import type { QueryClient, ReadCost } from 'dynotally';
import type { ScenarioId } from '../../scenarios/generators/index.ts';
import type { FreshnessTracker } from '../freshness/freshness-tracker.ts';
import type { DashboardSources } from '../sources.ts';
import type { PanelContext } from './panel-context.ts';
import { panelError } from './panel-error.ts';
import { s0Panel } from './s0-panel.ts';
import { s1Panel } from './s1-panel.ts';
import { s2Panel } from './s2-panel.ts';
import { s3Panel } from './s3-panel.ts';
import { s4Panel } from './s4-panel.ts';
import type { DashboardState, Panels } from './types.ts';
import { distinctShards } from './worker-summary.ts';

const BUILDERS: { [K in ScenarioId]: (ctx: PanelContext) => Promise<NonNullable<Panels[K]>> } = {
  s0: s0Panel,
  s1: s1Panel,
  s2: s2Panel,
  s3: s3Panel,
  s4: s4Panel,
};

/**
 * What the browser asked to see.
 *
 * @example
 * ```ts
 * const selection: Selection = { meter: 'meter-02', store: 'store-007' };
 * ```
 */
export interface Selection {
  meter?: string | undefined;
  store?: string | undefined;
}

/**
 * Inputs of {@link buildState}.
 *
 * @example
 * ```ts
 * await buildState({ query, scenarios: ['s2'], sources: {}, freshness: undefined, quotas: {}, at: Date.now(), selection: {} });
 * ```
 */
export interface BuildStateInput {
  query: QueryClient;
  scenarios: readonly ScenarioId[];
  sources: DashboardSources;
  freshness: FreshnessTracker | undefined;
  quotas: Readonly<Record<string, number>>;
  at: number;
  selection: Selection;
}

/**
 * Reads every panel through the query client at one instant, plus freshness, generator and worker status.
 * A panel whose reads fail is reported in `errors`; the others are still returned.
 *
 * @example
 * ```ts
 * const state = await buildState({ query, scenarios: ['s0', 's2'], sources: {}, freshness: undefined, quotas: {}, at: Date.now(), selection: {} });
 * ```
 */
export async function buildState(input: BuildStateInput): Promise<DashboardState> {
  const started = Date.now();
  const reads = { requests: 0, itemsRead: 0, readUnits: 0 };
  const ctx: PanelContext = {
    query: input.query,
    at: input.at,
    meter: input.selection.meter,
    meters: input.sources.meters?.() ?? [],
    store: input.selection.store,
    s4Serving: input.sources.changeRollup?.s4Reads(),
    quotas: input.quotas,
    cost: (c: ReadCost) => {
      reads.requests += c.requests;
      reads.itemsRead += c.itemsRead;
      reads.readUnits += c.readUnits;
    },
  };
  const panels: Panels = {};
  const errors: DashboardState['errors'] = {};
  await Promise.all(
    input.scenarios.map(async (id) => {
      try {
        (panels as Record<string, unknown>)[id] = await BUILDERS[id](ctx);
      } catch (e) {
        errors[id] = panelError(e);
      }
    }),
  );
  const freshness: DashboardState['freshness'] = {};
  for (const id of input.scenarios) {
    const v = input.freshness?.view(id);
    if (v !== undefined) freshness[id] = v;
  }
  const w = input.sources.worker?.();
  const g = input.sources.generators;
  return {
    at: input.at,
    atIso: new Date(input.at).toISOString(),
    scenarios: [...input.scenarios],
    panels,
    freshness,
    generators: g === undefined ? null : { paused: g.paused, scenarios: g.stats() },
    worker:
      w === undefined
        ? null
        : {
            records: w.records,
            recordsPerSecond: Math.round(w.recordsPerSecond * 10) / 10,
            iteratorAgeMs: w.iteratorAgeMs ?? null,
            idle: w.idle,
            // the worker's skips and the records its handler found poison (both went to the dead letters)
            deadLettered: w.deadLettered + w.apply.poison,
            errors: w.errors,
            leasesHeld: w.leasesHeld,
            shards: distinctShards(w),
            workers: w.workers,
          },
    reads: { ...reads, readUnits: Math.round(reads.readUnits * 10) / 10, ms: Date.now() - started },
    errors,
    changeRollup: input.sources.changeRollup?.view() ?? null,
  };
}
