export type {
  BackfillEstimate,
  BackfillOptions,
  BackfillProgress,
  BackfillReport,
} from './backfill-options.ts';
export {
  type Claim,
  decideItem,
  type ItemRecord,
  type LiveFrom,
  projectImage,
  type RecordDecision,
  sameProjection,
} from './claim.ts';
export {
  type ClaimBatchStats,
  type ClaimOutcome,
  emptyClaimBatchStats,
  insertClaimStatement,
  type NewClaim,
  type PutNewClaimsOptions,
  putNewClaims,
} from './claim-batch.ts';
export { claimFromItem, claimKey, claimToItem } from './claim-item.ts';
export { type ClaimedVersion, type ClaimRecordsOptions, claimRecords } from './claim-records.ts';
export { putClaim, putClaimParams, readClaims } from './claim-store.ts';
export { decidedRecord, scanRecord } from './decided-records.ts';
export { parseProgress, progressKey, type SegmentProgress } from './progress-item.ts';
export { estimateBackfill, runBackfill } from './run-backfill.ts';
