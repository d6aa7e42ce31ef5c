// Every request the Redis buffer's parts send to DynamoDB is one DYNOTALLY_ACTIONS.buffer grants. DynamoDB Local
// enforces no IAM, so nothing else would notice: the direct fallback's fences are PutItem and DeleteItem, which the
// stream handler's grants (DYNOTALLY_ACTIONS.apply) do not hold, so on AWS a handler role given only those would
// have failed every batch of an outage with AccessDenied instead of writing it directly.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import { fakeClock, quietLogger, sampleWorkload } from './harness.ts';
import { lossyReplies } from './lossy-replies.ts';
import { useBufferEnv } from './use-buffer-env.ts';

const env = useBufferEnv();
const MINUTE = 60_000;
const SHARD = 'shardId-0001';

const outside = (seen: Set<string> | undefined, granted: readonly string[]) =>
  [...(seen ?? [])].filter((a) => !granted.includes(a)).sort();

describe('the IAM actions of the Redis buffer', { timeout: 360_000 }, () => {
  it("are among DYNOTALLY_ACTIONS.buffer: the applier's (with the direct fallback and its rejoin) and the flusher's", async () => {
    const { rollups } = testRollups('UTC');
    const sim = simulate(sampleWorkload(5, 42));
    const batches: DynamoDBRecord[][] = [];
    for (let i = 0; i < sim.records.length; i += 6) batches.push(sim.records.slice(i, i + 6));
    const { table, keyPrefix } = await env.fresh('iam-rb');
    const letters = uniqueTableName('iam-rb-dl');
    await createDeadLetterTable(env.ddb, letters);
    const clock = fakeClock(Date.UTC(2026, 0, 10, 12, 0, 30));
    const base = { table, rollups, bucketMs: MINUTE, keyPrefix, now: clock.now, logger: quietLogger() };

    const applierSide = recordingClient();
    const lossy = lossyReplies(env.redis);
    const applier = createBufferedApplier({
      ...base,
      // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
      lateRecords: 'apply',
      client: applierSide.client,
      redis: lossy.client,
      onRedisDown: 'direct',
    });
    for (let i = 0; i < batches.length; i++) {
      clock.advance(MINUTE);
      // Redis takes batch 2, its reply is lost: written directly, a fence put; batch 3 rejoins. The last batch
      // too, and the shard never writes again: the flusher rejoins it
      if (i === 2 || i === batches.length - 1) lossy.loseNext();
      await applier.apply({ records: batches[i] as DynamoDBRecord[], shardId: SHARD });
    }

    const flusherSide = recordingClient();
    clock.advance(5 * MINUTE);
    await createFlusher({
      ...base,
      client: flusherSide.client,
      redis: env.redis,
      graceMs: 0,
      keepFlushedMs: 0,
      deadLetter: new DynamoDbDeadLetterSink(flusherSide.client, letters),
    }).flushClosed({ all: true });

    const applied = applierSide.seen.get(table);
    // the scenario reaches the fallback and the rejoin (else this test could not fail)
    expect([...(applied ?? [])]).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem']));
    expect([...(flusherSide.seen.get(table) ?? [])]).toContain('dynamodb:DeleteItem');
    expect(outside(applied, DYNOTALLY_ACTIONS.buffer.applier)).toEqual([]);
    // the applier's list is the handler's plus the fences'
    expect(outside(new Set(DYNOTALLY_ACTIONS.apply), DYNOTALLY_ACTIONS.buffer.applier)).toEqual([]);
    expect(outside(flusherSide.seen.get(table), DYNOTALLY_ACTIONS.buffer.flusher)).toEqual([]);
    expect(outside(flusherSide.seen.get(letters), DYNOTALLY_ACTIONS.deadLetter)).toEqual([]);
  });
});
