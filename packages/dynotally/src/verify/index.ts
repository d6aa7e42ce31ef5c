export { cellKey, compareRows } from './compare-rows.ts';
export { type ExpectedRow, expectedRows, rowKey } from './expected-rows.ts';
export { type RepairOptions, type RepairReport, repairRollup } from './repair.ts';
export { inSample, parseSample } from './sample.ts';
export { type StoredRow, storedRows } from './stored-rows.ts';
export { verify } from './verify.ts';
export type { DriftCell, UncountableSource, VerifyOptions, VerifyReport } from './verify-options.ts';
