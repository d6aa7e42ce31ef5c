export {
  Applier,
  type ApplierOptions,
  type ApplyInput,
  type ApplyMode,
  type ApplyResult,
  type ExactlyOnceStrategy,
  type RollupLike,
  toDeadLetter,
} from './applier.ts';
export { type ApplyReport, emptyReport, mergeReports } from './apply-report.ts';
export { type BatchHalves, poisonOfHalves, wideBatchHalves } from './batch-halves.ts';
export { type BatchPlan, type BatchPlanContext, type PlannedPart, planBatch } from './batch-plan.ts';
export { consumedUnits, transactionUnits } from './capacity.ts';
export type { LateProbe } from './late-probe.ts';
export { mapLimit } from './map-limit.ts';
export {
  type ColdApplier,
  coldApplier,
  type PartSends,
  type PlannedSend,
  plannedSends,
  type SendsOptions,
} from './planned-sends.ts';
export { pruneAfterSeconds, type RedeliveryOptions } from './redelivery-horizon.ts';
export { isRetryable, type RetryOptions, withRetry } from './retry.ts';
export {
  appliedSeq,
  decodeShardState,
  encodeShardState,
  shardStateAttrs,
  shardStateOf,
  stateBound,
} from './shard-state.ts';
export { readShardWatermark, shardWatermarkKey } from './shard-watermark.ts';
export { parseWatermark, watermarkAttr, watermarkValue } from './watermark-attr.ts';
export { type PartiqlState, type WriteApi, type WriteOptions, writeApi } from './write-options.ts';
export type { DeadLetterProbe, DeadLetterProbeInput, WriteSide } from './write-side.ts';
