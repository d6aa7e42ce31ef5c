export { compileWhere } from './compile-where.ts';
export type { CompiledMeasure, CompiledRollup, CompiledRowKind } from './compiled.ts';
export { DEFAULT_RETENTION, RESERVED_ATTRIBUTES } from './defaults.ts';
export { defineRollup, type GroupOfRollup, type MeasuresOfRollup, type Rollup } from './define-rollup.ts';
export { rollupFingerprint } from './fingerprint.ts';
export {
  count,
  last,
  type MeasureDef,
  type MeasureKind,
  type MeasureOptions,
  max,
  min,
  sum,
} from './measures.ts';
export type {
  GroupBySpec,
  GroupOf,
  GroupValue,
  LeaderboardSpec,
  RollupConfig,
  TimeFormat,
  TimeSpec,
} from './types.ts';
export type { CompiledWhere, Where, WhereValue } from './where.ts';
