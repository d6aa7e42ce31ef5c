export type {
  DeadLetter,
  DeadLetterDelta,
  DeadLetterRow,
  DeadLetterSendOptions,
  DeadLetterSink,
} from './dead-letter.ts';
export {
  DEFAULT_LETTER_PAGE_SIZE,
  type DeadLetterPagesOptions,
  type DeadLetterTable,
  type DropOutcome,
  deadLetterPages,
  dropDeadLetters,
  getDeadLetters,
  type IdLookupOptions,
  type IdScanProgress,
  type ListDeadLettersOptions,
  listDeadLetters,
} from './dead-letter-store.ts';
export { DynamoDbDeadLetterSink } from './dynamodb-sink.ts';
export { lateLetterAgeSeconds } from './late-letter.ts';
export { type DeadLetterFilter, MAX_FILTER_CODES } from './letter-filter.ts';
export { letterId, letterKey, type StoredDeadLetter } from './letter-item.ts';
export {
  DEFAULT_LETTER_RETENTION_DAYS,
  leastLetterRetentionDays,
} from './letter-retention.ts';
export { type PendingRowsInput, type ProbeStrategy, pendingRowsOf } from './pending-rows.ts';
export {
  type ReplayDeadLettersOptions,
  type ReplayOutcome,
  type ReplayResult,
  replayDeadLetterResults,
  replayDeadLetters,
} from './replay.ts';
