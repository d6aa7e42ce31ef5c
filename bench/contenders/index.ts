export { createKeyValueTable, createTable, scanCanonical } from './aggregate-table.ts';
export type { Contender, LambdaBatch } from './contender.ts';
export { lambdaContext } from './lambda-context.ts';
export { luxonBucketLabels } from './luxon-labels.ts';
export { createNaiveContender, type NaiveContenderOptions } from './naive.ts';
export { type PerEventAddsOptions, perEventAdds } from './per-event-adds.ts';
export { runPool } from './pool.ts';
export { createPowertoolsContender, type PowertoolsContenderOptions } from './powertools.ts';
