export { finalItems } from './final-items.ts';
export { generateWorkload, type WorkloadStep, workloadOperations, workloadSteps } from './generate.ts';
export { mulberry32 } from './prng.ts';
export {
  FAKE_STREAM_ARN,
  recordBatches,
  type StreamBatch,
  type StreamRecordOptions,
  streamRecords,
  toImage,
  toStreamRecords,
  workloadStreamRecords,
} from './stream-records.ts';
export {
  DEFAULT_SEED,
  DEFAULT_SPAN_MS,
  DEFAULT_START_MS,
  type Operation,
  type SourceItem,
  type SourceKey,
  type WorkloadOptions,
} from './types.ts';
export { zipfSampler } from './zipf.ts';
