// dynotally — exactly-once, coalesced, time-bucketed rollups from DynamoDB Streams.
//
// The root entry is what a Lambda or query user needs: define rollups, handle the stream (Lambda handler or
// stream worker), create the tables, query, and handle dead letters and errors. Other entries:
// `dynotally/redis` (the Redis write buffer), `dynotally/cdk` (the deploy construct), `dynotally/time` (zone
// calendars and granularities) and `dynotally/local` (DynamoDB Local and redis-server for tests and local runs).
// Everything else is internal.

// Handle the stream
export type {
  ApplierOptions,
  ApplyInput,
  ApplyMode,
  ApplyResult,
  ExactlyOnceStrategy,
} from './apply/applier.ts';
export { Applier } from './apply/applier.ts';
export type { ApplyReport } from './apply/apply-report.ts';
export type { BatchPlan, PlannedPart } from './apply/batch-plan.ts';
export type { LateProbe } from './apply/late-probe.ts';
export type { PlannedSend } from './apply/planned-sends.ts';
export type { RedeliveryOptions } from './apply/redelivery-horizon.ts';
export type { DeadLetterProbe, DeadLetterProbeInput, WriteSide } from './apply/write-side.ts';
// Rollups over existing data: versions and backfill
export {
  type BackfillEstimate,
  type BackfillOptions,
  type BackfillProgress,
  type BackfillReport,
  estimateBackfill,
  runBackfill,
} from './backfill/index.ts';
// Dead letters
export {
  DEFAULT_LETTER_PAGE_SIZE,
  DEFAULT_LETTER_RETENTION_DAYS,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterPagesOptions,
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  deadLetterPages,
  dropDeadLetters,
  getDeadLetters,
  type IdLookupOptions,
  type IdScanProgress,
  type ListDeadLettersOptions,
  lateLetterAgeSeconds,
  leastLetterRetentionDays,
  listDeadLetters,
  MAX_FILTER_CODES,
  type ReplayDeadLettersOptions,
  type ReplayOutcome,
  type ReplayResult,
  replayDeadLetterResults,
  replayDeadLetters,
  type StoredDeadLetter,
} from './dead-letter/index.ts';
// the plain view of an item that predicates and groupBy functions get (to call a rollup's own on an image)
export { type PlainItem, toPlain } from './decode/to-plain.ts';
// Define
export {
  type CountValue,
  count,
  defineRollup,
  type ExtremumValue,
  type Granularity,
  type GroupByChecked,
  type GroupByFunction,
  type GroupBySpec,
  type GroupOf,
  type GroupOfRollup,
  type GroupValue,
  type LastValue,
  type LeaderboardSpec,
  last,
  type MeasureDef,
  type MeasureKind,
  type MeasureOptions,
  type MeasuresOfRollup,
  max,
  min,
  type NumberText,
  type Rollup,
  type RollupConfig,
  type SumValue,
  sum,
  type TimeFormat,
  type TimeSpec,
  type ValuesOfRollup,
  type Where,
  type WhereValue,
} from './definition/index.ts';
// Errors and logging
export { DynotallyError, ERROR_CODES, type ErrorCode, isDynotallyError } from './errors/index.ts';
export {
  createStreamHandler,
  type LineageOptions,
  type StreamBatchEvent,
  type StreamBatchResponse,
  type StreamHandlerOptions,
} from './handler/index.ts';
export { QUIET_SDK_LOGGER } from './local/quiet-logger.ts';
export { jsonLogger, type Logger, type LogLevel } from './logging/index.ts';
// Query
export {
  createQueryClient,
  type Explanation,
  type Instant,
  type LatestResult,
  type LiveSource,
  type QueryClient,
  type QueryClientOptions,
  type ReadCost,
  type SeriesResult,
  type SeriesSpec,
  type TopBucket,
  type TopEntry,
  type TopResult,
  type TopSpec,
  type TotalResult,
  type WindowInfo,
  type WindowSpec,
} from './query/index.ts';
// Tables
export {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
  ensureTables,
  type TableNames,
} from './tables/index.ts';
export { parseDuration } from './time/index.ts';
// Verify and repair
export {
  type DriftCell,
  parseSample,
  type RepairOptions,
  type RepairReport,
  repairRollup,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
  verify,
} from './verify/index.ts';
export {
  type ControlItem,
  createServingQueryClient,
  createVersionedWriteSide,
  type DeleteRetiredOptions,
  type DeletionReport,
  deleteRetiredVersions,
  type HoldRecord,
  promoteVersion,
  readControl,
  readControls,
  retireVersion,
  type ServingQueryClientOptions,
  type VersionedWriteSideOptions,
  type VersionState,
  versionsOfDefinition,
} from './versions/index.ts';
export {
  createStreamWorker,
  installSignalHandlers,
  runWorkerUntilIdle,
  type StreamWorker,
  type StreamWorkerOptions,
  type WorkerStats,
} from './worker/index.ts';
