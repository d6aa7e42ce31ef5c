// Review s25b (bounded exactly-once state): the stream worker prunes shard states by a horizon of its
// `maxRecordAgeMs` + 1 h (`workerRedelivery`, given to its built-in handler), on the ground that "records past
// maxRecordAgeMs are never applied (dead-lettered)". But the worker still reads such records for the rest of the
// stream's 24 h and dead-letters them with a probe of the rows that do not hold them yet (`pendingRowsOf`, in
// `StreamWorker.deadLetter`), and that probe reads the very shard states the shorter horizon let another shard prune.
// Scenario: maxRecordAgeMs 60 s. A batch of shard S1 crashes after its first row write (record X reached row `a`,
// not row `b`); S1's consumer is then away for three hours (an outage, a stuck worker). Meanwhile shard S2 writes
// row `a` twice: the first write learns S1's state there is past the horizon (60 s + 1 h), the second prunes it.
// The worker comes back, finds X older than maxRecordAgeMs and dead-letters it, probing: row `a` has no state of
// S1, so the letter names `a` as pending although `a` holds X. Its replay adds X to `a` a second time.
// Observed: after the replay `a` counts 4 (X twice, Y1, Y2); the letter names both rows.
// Expected (the plain `it`): `a` counts 3, `b` 1; the letter names `b` only.
// Suggested fix: a worker keeps states for the stream's whole retention (horizon 25 h) whatever its maxRecordAgeMs,
// since it dead-letters (and probes) records of any age the stream still holds.
// Severity: double count after a dead-letter replay (worker with maxRecordAgeMs and a dead-letter sink, rows
// written by several shards).
// Fixed in review s25b: `workerRedelivery` gives no maximum record age (states kept for the stream's retention).
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  pendingRowsOf,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { workerRedelivery } from '../../packages/dynotally/src/worker/worker-redelivery.ts';
import { counterCells } from '../apply/budget-support.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const { clients, faulty, faults } = faultyTestClients(); // destroyed after the file by the helper

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const a = defineRollup({ name: 'a', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const b = defineRollup({ name: 'b', groupBy: 'h', granularities: ['all'], measures: { n: count() } });
const T0 = 1_763_800_000; // X's ApproximateCreationDateTime (s)

function record(
  seq: number,
  id: string,
  timeSeconds: number,
  attrs: Record<string, AttributeValue>,
): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, ...attrs },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: timeSeconds,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** An applier as the worker builds its handler's (its redelivery horizon, whatever its maxRecordAgeMs), at a fixed clock. */
function workerApplier(client: typeof clients.ddb, table: string, nowMs: number) {
  return new Applier({
    client,
    table,
    rollups: [a, b],
    write: { api: 'update-item' },
    concurrency: 1,
    retry: { maxAttempts: 1 },
    pruneSampleEvery: 1,
    redelivery: workerRedelivery(),
    now: () => nowMs,
  });
}

it('a record the worker dead-letters after another shard pruned its state is replayed once', async () => {
  const table = uniqueTableName('s25b-probe');
  const dlq = uniqueTableName('s25b-dlq');
  await createAggregateTable(clients.ddb, table);
  await createDeadLetterTable(clients.ddb, dlq);
  const x = record(100, 'x', T0, { g: { S: 'hot' }, h: { S: 'x1' } });

  // S1's batch reaches row `a`, then the process dies before row `b`
  faults.crashFrom(2, 'fatal');
  await expect(
    workerApplier(faulty.ddb, table, T0 * 1000 + 10_000).apply({ records: [x], shardId: 'S1' }),
  ).rejects.toThrow();
  faults.heal();

  // three hours later, another partition's shard writes row `a` twice (it would learn S1's state stale, then prune it)
  const later = (T0 + 3 * 3600) * 1000;
  const s2 = workerApplier(clients.ddb, table, later);
  await s2.apply({
    records: [record(200, 'y1', T0 + 3 * 3600, { g: { S: 'hot' }, h: { S: 'y' } })],
    shardId: 'S2',
  });
  await s2.apply({
    records: [record(201, 'y2', T0 + 3 * 3600, { g: { S: 'hot' }, h: { S: 'y' } })],
    shardId: 'S2',
  });
  const rowA = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S?.startsWith('a#'));
  // kept: X is past maxRecordAgeMs, but the worker still probes it (before the fix, S2's second write removed it)
  expect(rowA?.[shardStateAttrs(STREAM, 'S1').attr]).toBeDefined();

  // the worker is back: X is older than maxRecordAgeMs, so it is dead-lettered with its pending rows, as
  // StreamWorker.deadLetter does, and replayed
  const pendingRows = await pendingRowsOf({
    client: clients.ddb,
    table,
    rollups: [a.compiled, b.compiled],
    strategy: 'row-watermark',
    source: STREAM,
    shardId: 'S1',
    record: x,
    now: later,
  });
  const letter: DeadLetter = {
    source: STREAM,
    shardId: 'S1',
    sequenceNumber: '100',
    eventId: x.eventID,
    code: 'RECORD_TOO_OLD',
    reason: 'the record was older than maxRecordAgeMs',
    record: x,
    at: later,
    ...(pendingRows === undefined ? {} : { pendingRows }),
  };
  await new DynamoDbDeadLetterSink(clients.ddb, dlq).send([letter]);
  const replayed = await replayDeadLetters({
    client: clients.ddb,
    deadLetterTable: dlq,
    table,
    rollups: [a, b],
    all: true,
  });
  expect(replayed.map((r) => r.outcome)).toEqual(['replayed']);

  const cells = await counterCells(clients.ddb, table);
  expect(cells).toEqual({ 'a#shot|n': '3', 'b#sx1|n': '1', 'b#sy|n': '2' });
  expect(pendingRows?.map((r) => r.pk.split('#')[0])).toEqual(['b']);
});
