export type {
  DeadLetter,
  DeadLetterDelta,
  DeadLetterRow,
  DeadLetterSendOptions,
  DeadLetterSink,
} from './dead-letter.ts';
export {
  type DeadLetterTable,
  type DropOutcome,
  dropDeadLetters,
  getDeadLetters,
  type ListDeadLettersOptions,
  listDeadLetters,
} from './dead-letter-store.ts';
export { DynamoDbDeadLetterSink } from './dynamodb-sink.ts';
export { lateLetterAgeSeconds } from './late-letter.ts';
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
  replayDeadLetters,
} from './replay.ts';
