// Issue 11 item 1: a dead letter is counted exactly once when replayed — also twice, concurrently, and after
// later records moved the rows' watermarks past it — and the old way (handing its record to the handler)
// counts nothing. Compared with the oracle over the whole stream.
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import {
  type DeadLetter,
  dropDeadLetters,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../../packages/dynotally/src/plan/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { mixedOps, ORACLE, run } from '../apply/workload.ts';
import { faultyTestClients } from '../support/faults.ts';
import { diffCells, expectedCells, Pipeline, replay, type ShardStream } from '../support/pipeline.ts';
import { runWithDeadLetters } from './simulate.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const { clients, faulty, faults } = faultyTestClients();

let pipeline: Pipeline;
let shard: ShardStream;
let expectedAll: Map<string, string>;
const DEAD = [7, 23, 40, 41, 66, 90];
const itemOf = (r: DynamoDBRecord | undefined): string => JSON.stringify(r?.dynamodb?.Keys ?? {});

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlreplay');
  // one writer, so the stream order (and the records at DEAD) is the same every run: with concurrent writers the
  // order varies, and once in many runs the transaction strategy's dead records summed to nothing — its crashed
  // attempts commit whole when the injected crash comes after their transaction, and the ones left out were an
  // item's INSERT (DEAD[0]) and the MODIFY that took it out of its rollup (DEAD[1]), cancelling each other
  await run(pipeline, mixedOps(71, 0.8), 1);
  const shards = await pipeline.readStream();
  expect(shards).toHaveLength(1);
  shard = shards[0] as ShardStream;
  expect(shard.records.length).toBeGreaterThan(100);
  // the attempt of DEAD[0] crashes at its first write under either strategy: its record is left out; it must
  // count something, and no other dead record may be of its item (nothing to cancel it)
  const first = shard.records[DEAD[0] as number];
  const fold = foldBatch(pipeline.compiled, [first as DynamoDBRecord], { shardId: shard.shardId });
  expect(planWrites(fold.coalescer, { now: Date.now() }).rows.length).toBeGreaterThan(0);
  expect(DEAD.slice(1).filter((k) => itemOf(shard.records[k]) === itemOf(first))).toEqual([]);
  expectedAll = expectedCells(Object.values(ORACLE), replay(shards));
});

describe.each<ExactlyOnceStrategy>(['row-watermark', 'transaction'])('replay (%s)', (strategy) => {
  let table: string;
  let dlq: string;
  let letters: DeadLetter[];

  beforeAll(async () => {
    table = await pipeline.newAggregateTable(`agg-${strategy}`);
    dlq = await pipeline.newDeadLetterTable(`dlq-${strategy}`);
    letters = await runWithDeadLetters({
      pipeline,
      shard,
      faulty: faulty.ddb,
      faults,
      table,
      deadLetterTable: dlq,
      strategy,
      dead: DEAD,
    });
  });

  it('without replay the aggregates miss the dead letters', async () => {
    expect(diffCells(await pipeline.canonical(table), expectedAll).length).toBeGreaterThan(0);
    const stored = await listDeadLetters({ client: clients.ddb, table: dlq });
    expect(stored.map((l) => l.sequenceNumber).sort()).toEqual(letters.map((l) => l.sequenceNumber).sort());
    if (strategy === 'row-watermark') {
      // the crashed attempts applied all, part or none of the dead records' rows
      const pending = letters.map((l) => l.pendingRows?.length ?? -1);
      expect(pending.some((n) => n === 0)).toBe(true);
      expect(pending.some((n) => n > 0)).toBe(true);
    }
  });

  it('handing the record to the handler (the old documented replay) does not count it', async () => {
    const copy = await pipeline.newAggregateTable(`agg-old-${strategy}`);
    const dlq2 = await pipeline.newDeadLetterTable(`dlq-old-${strategy}`);
    await runWithDeadLetters({
      pipeline,
      shard,
      faulty: faulty.ddb,
      faults,
      table: copy,
      deadLetterTable: dlq2,
      strategy,
      dead: DEAD,
    });
    const handler = pipeline.handler({ table: copy, strategy });
    for (const l of letters) await handler({ Records: [l.record!], shardId: shard.shardId });
    expect(diffCells(await pipeline.canonical(copy), expectedAll).length).toBeGreaterThan(0);
  });

  it('replaying every dead letter counts each exactly once; replaying again changes nothing', async () => {
    const opts = { client: clients.ddb, deadLetterTable: dlq, table, rollups: referenceRollups };
    const [a, b] = await Promise.all([
      replayDeadLetters({ ...opts, all: true }),
      replayDeadLetters({ ...opts, all: true }),
    ]);
    const replayed = [...(a ?? []), ...(b ?? [])].filter((r) => r.outcome === 'replayed');
    expect(replayed).toHaveLength(DEAD.length);
    expect(diffCells(await pipeline.canonical(table), expectedAll)).toEqual([]);
    const stored = await listDeadLetters({ client: clients.ddb, table: dlq });
    const again = await replayDeadLetters({ ...opts, ids: stored.map((l) => l.id) });
    expect(again.map((r) => r.outcome)).toEqual(DEAD.map(() => 'already-replayed'));
    expect(diffCells(await pipeline.canonical(table), expectedAll)).toEqual([]);
    expect(await listDeadLetters({ client: clients.ddb, table: dlq, replayed: false })).toEqual([]);
    // dropped after replay: gone, and nothing to replay
    const dropped = await dropDeadLetters({ client: clients.ddb, table: dlq }, [stored[0]!.id]);
    expect(dropped).toEqual([{ id: stored[0]!.id, outcome: 'dropped' }]);
    expect(await listDeadLetters({ client: clients.ddb, table: dlq })).toHaveLength(DEAD.length - 1);
  });
});
