// A record delivered after its shard's exactly-once state may have been pruned (AWS keeps records past 24 h
// "subject to trimming"; a mapping without a maximum record age retries a batch until then; a stream worker back
// after a day's outage reads them): with `lateRecords: 'dead-letter'` it goes to the dead letters as
// RECORD_TOO_OLD instead of being added again to the rows whose state another shard pruned. The stream worker's
// built-in handler sets it; the default ('apply') is kept where nothing delivers such records.
import { afterAll, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  isBookkeeping,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { DAY_MS, lateShards } from './late-shards.ts';
import { ORACLE } from './workload.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

it.each([{ late: 'dead-letter' as const }, { late: 'apply' as const }])(
  "a shard's batch redelivered 3 days late with records written since, after another shard pruned its states: lateRecords '$late'",
  async ({ late }) => {
    const pipeline = await Pipeline.create(clients, referenceRollups, `late-${late}`);
    const { shard, old: whole, young, oldAttr } = await lateShards(pipeline);
    // the old shard's first two thirds are delivered now; the rest of it is written three days later, so its
    // redelivered batch mixes records past the late point with records on time: each is judged by its own age
    const cut = Math.floor((whole.records.length * 2) / 3);
    const old: ShardStream = { shardId: whole.shardId, records: whole.records.slice(0, cut) };
    const since = whole.records.slice(cut).map((r) => ({
      ...r,
      dynamodb: {
        ...r.dynamodb,
        ApproximateCreationDateTime: (r.dynamodb?.ApproximateCreationDateTime ?? 0) + (3 * DAY_MS) / 1000,
      },
    }));
    const redelivered: ShardStream = { shardId: whole.shardId, records: [...old.records, ...since] };
    const table = await pipeline.newAggregateTable(`agg-late-${late}`);
    const ok = (responses: Array<{ batchItemFailures: unknown[] }>) => {
      for (const r of responses) expect(r.batchItemFailures).toEqual([]);
    };
    ok(await deliver(pipeline.handler({ table }), old, { batchSize: 100 }));

    // three days later the other shard writes the same rows, learning (sample 1 in 1) and pruning the old states
    const letters: DeadLetter[] = [];
    const dlq = await pipeline.newDeadLetterTable(`dlq-late-${late}`);
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    const later = pipeline.handler({
      table,
      now: () => Date.now() + 3 * DAY_MS,
      pruneSampleEvery: 1,
      lateRecords: late,
      deadLetter: {
        send: async (batch) => {
          letters.push(...batch);
          await sink.send(batch);
        },
      },
    });
    const quarter = Math.floor(young.records.length / 2);
    ok(await deliver(later, young, { to: quarter, batchSize: quarter }));
    ok(await deliver(later, young, { from: quarter, batchSize: 100 }));
    const rows = (await scanTable(clients.ddb, table)).filter((r) => !isBookkeeping(r));
    expect(rows.some((r) => r[oldAttr] === undefined)).toBe(true);

    // the old shard's batch comes again, three days after its records were written, with the records written since
    ok(await deliver(later, redelivered, { batchSize: redelivered.records.length }));
    const expected = expectedCells(Object.values(ORACLE), replay([shard]));
    const diff = diffCells(await pipeline.canonical(table), expected);
    if (late === 'dead-letter') {
      expect(diff).toEqual([]);
      // only the late records are letters: those written since count (the oracle above has them)
      expect(letters.map((l) => l.sequenceNumber)).toEqual(
        old.records.map((r) => r.dynamodb?.SequenceNumber),
      );
      expect(new Set(letters.map((l) => l.code))).toEqual(new Set(['RECORD_TOO_OLD']));
      expect(letters[0]?.reason).toMatch(/past the 88200 s within which it counts exactly once/);
      // their probes listed rows whose state was pruned: a replay is refused, and noted on each letter
      const replayLetters = (replayLate: boolean) =>
        replayDeadLetters({
          client: clients.ddb,
          deadLetterTable: dlq,
          table,
          rollups: referenceRollups,
          all: true,
          replayLate,
          now: () => Date.now() + 3 * DAY_MS,
        });
      const refused = await replayLetters(false);
      expect(refused.length).toBe(letters.length);
      expect(refused.every((r) => r.outcome === 'failed' && /past the 88,200 s/.test(r.reason ?? ''))).toBe(
        true,
      );
      expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
      // what the refusal prevents: forced, the replay adds them again where their state was pruned
      const forced = await replayLetters(true);
      expect(forced.some((r) => r.outcome === 'replayed' && r.rows > 0)).toBe(true);
      expect(diffCells(await pipeline.canonical(table), expected).length).toBeGreaterThan(0);
    } else {
      // what the guard prevents: the records are added again wherever their state was pruned
      expect(letters).toEqual([]);
      expect(diff.length).toBeGreaterThan(0);
    }
  },
);
