export { createStreamHandler, type StreamHandlerOptions } from './create-stream-handler.ts';
export type { StreamBatchEvent, StreamBatchResponse } from './stream-event.ts';
