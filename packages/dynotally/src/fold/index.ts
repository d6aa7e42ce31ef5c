export { lastTimeAttr, packedSuffix } from './cell-names.ts';
export { addDelta, beats, Coalescer, compareScalar, deltaOf, offerExtremum } from './coalescer.ts';
export { eventTime } from './event-time.ts';
export { type FoldBatchOptions, type FoldResult, foldBatch, type PoisonRecord } from './fold-batch.ts';
export { Folder } from './fold-changes.ts';
export type { Extremum, RowAcc } from './row-acc.ts';
