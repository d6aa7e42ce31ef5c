export {
  FreshnessTracker,
  type FreshnessTrackerOptions,
  type FreshnessView,
} from './freshness/freshness-tracker.ts';
export type { FreshnessProbe } from './freshness/probe.ts';
export { referenceProbes } from './freshness/reference-probes.ts';
export { checkListenHost, type Listening, listenOnFreePort } from './listen.ts';
export { type DashboardServer, type DashboardServerOptions, startDashboardServer } from './server.ts';
export type { DashboardSources, GeneratorControl } from './sources.ts';
export { type BuildStateInput, buildState, type Selection } from './state/build-state.ts';
export { DEFAULT_QUOTA, REFERENCE_QUOTAS } from './state/s1-panel.ts';
export type {
  ChartPoint,
  DashboardState,
  Panels,
  S0Panel,
  S1Panel,
  S2Panel,
  S3Panel,
  S4Panel,
} from './state/types.ts';
export { chartJsPath } from './static-files.ts';
