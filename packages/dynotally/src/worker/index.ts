export { assignShards } from './assign-shards.ts';
export {
  type BatchOutcome,
  type FailurePolicy,
  processBatch,
  type SkipCode,
  type WaitReason,
} from './batch-processor.ts';
export { createStreamWorker, type StreamWorker } from './create-stream-worker.ts';
export {
  isFinished,
  isFree,
  leaseKey,
  parseLeaseItem,
  SHARD_END,
  type ShardLease,
  type StartingPosition,
  type WorkerPresence,
  workerKey,
} from './lease.ts';
export { holderId, type LeaseHolder } from './lease-expressions.ts';
export {
  type CheckpointOptions,
  checkpointParams,
  createLeaseParams,
  releaseLeaseParams,
  renewLeaseParams,
  takeLeaseParams,
} from './lease-params.ts';
export { type LeasePlan, type LeaseView, planLeases } from './lease-plan.ts';
export { LeaseStore } from './lease-store.ts';
export { resolveStreamArn } from './resolve-stream.ts';
export { type RunUntilIdleOptions, runWorkerUntilIdle } from './run-until-idle.ts';
export { shardReadiness } from './shard-graph.ts';
export { installSignalHandlers, type SignalHandlerOptions } from './signals.ts';
export {
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  type StreamWorkerOptions,
} from './worker-options.ts';
export { type ShardProgress, ThroughputMeter, type WorkerStats } from './worker-stats.ts';
