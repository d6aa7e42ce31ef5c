export {
  cellKey,
  compareRows,
  createRowComparison,
  type RowComparison,
  type RowComparisonResult,
} from './compare-rows.ts';
export { type ExpectedRow, expectedRows, rowKey } from './expected-rows.ts';
export { type RepairOptions, type RepairReport, repairRollup } from './repair.ts';
export { inSample, parseSample } from './sample.ts';
export { eachStoredRow, type StoredRow, type StoredRowsOptions, storedRows } from './stored-rows.ts';
export { verify } from './verify.ts';
export type {
  DriftCell,
  UncountableSource,
  VerifyOptions,
  VerifyProgress,
  VerifyReport,
} from './verify-options.ts';
