export {
  BUILT_IN_APPLIER_OPTIONS,
  checkWriteSide,
  createStreamHandler,
  type StreamHandlerCommonOptions,
  type StreamHandlerOptions,
  type WriteSideStreamHandlerOptions,
} from './create-stream-handler.ts';
export type { StreamBatchEvent, StreamBatchResponse } from './stream-event.ts';
