export { parseScenarioList, SCENARIOS, scenario } from './catalogue.ts';
export { diurnalPast, eventLagMs, idFactory } from './event-lag.ts';
export { isoWithOffset } from './iso-offset.ts';
export { LiveItems } from './live-items.ts';
export { CUSTOMERS, meterId, PROJECTS, RESTAURANTS, STORES } from './names.ts';
export { type Random, seededRandom } from './prng.ts';
export { createJobsGenerator, s0Jobs } from './s0-jobs.ts';
export { createScansGenerator, s1Scans } from './s1-scans.ts';
export { createFavouritesGenerator, s2Favourites } from './s2-favourites.ts';
export { createMetersGenerator, meterCount, s3Meters } from './s3-meters.ts';
export { createStoreGenerator, s4Store } from './s4-store.ts';
export { type SampleRecordsOptions, sampleRecords } from './sample-records.ts';
export {
  ScenarioRunner,
  type ScenarioRunnerOptions,
  type ScenarioRunStats,
} from './scenario-runner.ts';
export type {
  GeneratorOptions,
  ScenarioGenerator,
  ScenarioId,
  ScenarioInfo,
  SourceChange,
  SourceChangeKind,
  SourceItem,
  SourceKey,
} from './types.ts';
export { type WrittenChange, writeBatches, writeChanges, writeRequest } from './write-changes.ts';
export { zipfPicker } from './zipf.ts';
