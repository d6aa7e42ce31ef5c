// dynotally/redis — the Redis write buffer (S4): buffered apply, flusher, live reads. Needs `ioredis`.

export { readBufferId } from './buffer-id.ts';
export { type BufferKeyOptions, bucketKeysOptions, bucketWidths } from './buffer-options.ts';
export {
  BUFFER_OWNER_KEY,
  claimTableBuffer,
  describeTableBuffer,
  forgetTableBuffer,
  releaseTableBuffer,
  type TableBufferOptions,
  type TableBufferOwner,
  verifyTableBuffer,
} from './buffer-owner.ts';
export {
  type BufferedApplier,
  type BufferedApplierOptions,
  type BufferedApplyResult,
  type BufferReport,
  createBufferedApplier,
  type RedisDownPolicy,
} from './buffered-applier.ts';
export {
  type BufferedVersionsTarget,
  bufferedVersionProblem,
  checkBufferedVersions,
  isBufferedVersionRefusal,
  type OtherVersionsPolicy,
} from './buffered-versions.ts';
export { type BucketWidths, encodeCells } from './encode-cells.ts';
export { checkEvictionPolicy, evictionSettings } from './eviction-policy.ts';
export {
  completeFence,
  deleteFence,
  extendFence,
  FENCE_PARTITION,
  type Fence,
  listFences,
  openFence,
  readFence,
} from './fence.ts';
export {
  createFlusher,
  emptyFlushReport,
  type Flusher,
  type FlusherOptions,
  type FlushReport,
  type FlushStep,
} from './flusher.ts';
export {
  bucketId,
  bucketMarker,
  bufferKeys,
  cellField,
  DEFAULT_BUCKET_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_KEY_TTL_MS,
  FLUSH_MARKER_ATTR,
  parseCellField,
  rankKey,
  shardTag,
} from './keys.ts';
export { WATERMARK_KEEP_MS } from './late-buffered.ts';
export {
  createRedisLiveSource,
  type LiveSnapshot,
  type LiveSource,
  type RedisLiveSourceOptions,
  withLive,
} from './live-source.ts';
export { LuaScript, redisCall } from './lua-script.ts';
export { type RejoinContext, type RejoinOutcome, rejoinShard } from './rejoin.ts';
export { rowsFromCells } from './rows-from-cells.ts';
export { type RunFlushOnceOptions, runFlushOnce } from './run-flush-once.ts';
export { confirmReplicas, type WaitReplicasOptions, waitReplicasOptions } from './wait-replicas.ts';
