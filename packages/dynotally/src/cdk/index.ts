// dynotally/cdk — the deploy construct. Needs `aws-cdk-lib` and `constructs` (optional peer dependencies).
export {
  defineAggregateTable,
  defineClaimTable,
  defineDeadLetterTable,
  type TableOptions,
} from './aggregate-table.ts';
export { checkBatchDiscards, type DiscardDestination } from './batch-discards.ts';
export { checkSourceStream, knownStreamViewType } from './check-source-stream.ts';
export {
  DEPLOY_ENV,
  DynotallyAggregates,
  type DynotallyAggregatesProps,
} from './dynotally-aggregates.ts';
export {
  type DeployMode,
  EVENT_SOURCE_DEFAULTS,
  type EventSourceSettings,
  type EventSourceTuning,
  eventSourceSettings,
} from './event-source-settings.ts';
export { DYNOTALLY_ACTIONS, grantTableActions } from './grants.ts';
export { defineStreamFunction, ESM_REQUIRE_BANNER, type StreamFunctionOptions } from './stream-function.ts';
