export { AncestorLookup, LAMBDA_ANCESTOR_WAIT_MS, type LineageOptions } from './ancestor-lookup.ts';
export {
  BUILT_IN_APPLIER_OPTIONS,
  checkWriteSide,
  createStreamHandler,
  type StreamHandlerCommonOptions,
  type StreamHandlerOptions,
  type WriteSideStreamHandlerOptions,
} from './create-stream-handler.ts';
export {
  DEAD_LETTER_TABLE_ENV,
  deadLetterFromEnv,
  MAX_RECORD_AGE_ENV,
  MODE_ENV,
  modeFromEnv,
  REPORT_FAILURES_ENV,
  redeliveryFromEnv,
  reportFailuresFromEnv,
} from './deploy-env.ts';
export type { StreamBatchEvent, StreamBatchResponse } from './stream-event.ts';
