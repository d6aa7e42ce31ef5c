export { toAttributeValue } from './attribute-value.ts';
export { type CompensationOptions, compensationUpdateParams } from './compensation-params.ts';
export { conditionCheckParams } from './condition-check-params.ts';
export { fnv1a, leaderboardKey } from './leaderboard-key.ts';
export {
  extremumUpdateStatement,
  type RowInsertStatementOptions,
  type RowStatementOptions,
  type RowUpdateStatementOptions,
  rowInsertStatement,
  rowUpdateStatement,
} from './partiql-params.ts';
export { type PlanOptions, planRow, planWrites, rowTtl } from './plan-writes.ts';
export type { ExtremumWrite, RowWrite, WritePlan } from './row-write.ts';
export {
  extremumUpdateParams,
  type RowParamsOptions,
  type RowWatermark,
  rowUpdateParams,
  watermarkAv,
} from './update-params.ts';
