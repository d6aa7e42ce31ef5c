export { compileWhere } from './compile-where.ts';
export type { CompiledMeasure, CompiledRollup, CompiledRowKind } from './compiled.ts';
export { DEFAULT_RETENTION, RESERVED_ATTRIBUTES } from './defaults.ts';
export {
  defineRollup,
  type GroupOfRollup,
  type LastMeasuresOfRollup,
  type MeasureDefs,
  type MeasuresOfRollup,
  type Rollup,
  type ValuesOfRollup,
} from './define-rollup.ts';
export { rollupFingerprint } from './fingerprint.ts';
export type { Granularity } from './granularity-name.ts';
export type {
  CountValue,
  ExtremumValue,
  LastValue,
  MeasureValuesOf,
  SumValue,
  ValueOfKind,
  ValueOfMeasure,
} from './measure-values.ts';
export {
  count,
  last,
  type MeasureDef,
  type MeasureKind,
  type MeasureOptions,
  max,
  min,
  type OptionsValue,
  sum,
} from './measures.ts';
export type {
  AdditiveMeasureName,
  GroupByChecked,
  GroupByFunction,
  GroupBySpec,
  GroupOf,
  GroupValue,
  LeaderboardSpec,
  NumberText,
  RollupConfig,
  TimeFormat,
  TimeSpec,
} from './types.ts';
export type { CompiledWhere, Where, WhereValue } from './where.ts';
