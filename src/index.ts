// dynotally — exactly-once, coalesced, time-bucketed rollups from DynamoDB Streams.
// The Redis buffer is a separate entry point: `dynotally/redis`.
export * from './apply/index.ts';
export * from './backfill/index.ts';
export * from './cost/index.ts';
export * from './dead-letter/index.ts';
export * from './decode/index.ts';
export * from './definition/index.ts';
export * from './errors/index.ts';
export * from './fold/index.ts';
export * from './handler/index.ts';
export * from './logging/index.ts';
export * from './plan/index.ts';
export * from './query/index.ts';
export * from './scenarios/index.ts';
export * from './streams/index.ts';
export * from './tables/index.ts';
export * from './time/index.ts';
export * from './versions/index.ts';
export * from './worker/index.ts';
