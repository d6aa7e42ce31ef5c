export type {
  BackfillEstimate,
  BackfillOptions,
  BackfillProgress,
  BackfillReport,
} from './backfill-options.ts';
export {
  type Claim,
  decideItem,
  type ImageSpill,
  type ItemRecord,
  type LiveFrom,
  projectImage,
  type RecordDecision,
  type ScanClaim,
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
export { putClaim, putClaimParams, putImageParts, readClaimImage, readClaims } from './claim-store.ts';
export { decidedRecord, scanRecord } from './decided-records.ts';
export { checkExpiredHistory } from './expired-history.ts';
export { canonicalImage, imageDigest } from './image-digest.ts';
export { imageNestsInClaim, nestingLevels } from './image-nesting.ts';
export {
  claimFits,
  decodeImage,
  encodeImage,
  IMAGE_PART_BYTES,
  imagePartKey,
  LIVE_CLAIM_BYTES,
  spillClaim,
} from './image-parts.ts';
export { parseProgress, progressKey, type SegmentProgress } from './progress-item.ts';
export { estimateBackfill, runBackfill } from './run-backfill.ts';
