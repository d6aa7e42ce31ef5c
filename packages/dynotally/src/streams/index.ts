export { describeStreamShards, type PageSender } from './describe-stream-shards.ts';
export { compareStreamArns, listTableStreams, nextStreamAfter, streamLabel } from './list-table-streams.ts';
export { orderShards } from './order-shards.ts';
export { type ReadStreamOptions, readStreamRecords, type ShardRecords } from './read-stream.ts';
export { describedAncestors, type LineageStop, type ShardLink, shardLinks } from './shard-lineage.ts';
export { readStreamRecord, toLambdaRecord } from './to-lambda-record.ts';
export { streamCreatedAt, trimmedRecordsMayBeLost } from './trim-loss.ts';
