export {
  historyByGranularity,
  historyOfItem,
  liveUntil,
  type RetentionHistory,
  retentionAt,
} from './effective-retention.ts';
export {
  entriesAttribute,
  HISTORY_PK_PREFIX,
  HISTORY_SK,
  historyKey,
  parseHistory,
  type RetentionEntry,
  type StoredHistory,
} from './history-item.ts';
export {
  HISTORY_BUMP_MS,
  HISTORY_CACHE_MS,
  HISTORY_FRESH_MS,
  HISTORY_MARGIN_MS,
} from './history-timing.ts';
export { MAX_ENTRIES_PER_GRANULARITY, mergeEntries } from './merge-entries.ts';
export { readRetentionHistory } from './read-history.ts';
export { recordRetention, recordRetentionParams } from './record-retention.ts';
export { RetentionRecorder } from './retention-recorder.ts';
export { rowKeptUntil } from './row-kept-until.ts';
