// Poison records land in the dead-letter table with code and reason, the batches report no failures, and the
// aggregates equal the oracle over the stream minus exactly those records.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { decodeLetter, ID_ENTRY_SK } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { interleave, jobsOps, ORACLE, run, scansOps, storeOps } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });
const t0 = Date.now() - 36 * 3_600_000;

let pipeline: Pipeline;
let shard: ShardStream;
/** Sequence number → the code its dead letter must carry. */
const poison = new Map<string, string>();

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlq');
  await run(pipeline, interleave([jobsOps(61, undefined, 25), scansOps(62, 20), storeOps(63, 20)], 60));
  // poison items
  await pipeline.put({ id: S('bad-nogroup'), type: S('job'), createdAt: N(t0) }); // a matching job without customerId
  await pipeline.put({ id: S('bad-time'), type: S('job'), customerId: S('c-1'), createdAt: S('yesterday') });
  await pipeline.put({
    id: S('bad-iso'),
    type: S('scan'),
    projectId: S('p-alpha'),
    scannedAt: S('not a date'),
    bytes: N(5),
  });
  await pipeline.put({
    id: S('bad-wall'),
    type: S('scan'),
    projectId: S('p-alpha'),
    scannedAt: S('2026-11-01T01:30:00'),
    bytes: N(7),
  }); // no offset: ambiguous
  // a good job turned bad, moved to another customer while bad, then deleted: all three records are poison, its first image stays counted
  await pipeline.put({ id: S('turns-bad'), type: S('job'), customerId: S('c-9'), createdAt: N(t0 + 60_000) });
  await pipeline.update('turns-bad', { createdAt: S('2026-13-45') });
  await pipeline.update('turns-bad', { customerId: S('c-10') });
  await pipeline.remove('turns-bad');
  // two items whose INSERT records get mangled after reading
  await pipeline.put({
    id: S('mangled-image'),
    type: S('job'),
    customerId: S('c-1'),
    createdAt: N(t0 + 120_000),
  });
  await pipeline.put({ id: S('mangled-event'), type: S('order'), storeId: S('s-1'), ts: N(t0) });
  await run(pipeline, storeOps(64, 10));

  const shards = await pipeline.readStream();
  expect(shards).toHaveLength(1);
  shard = shards[0] as ShardStream;
  const idOf = (r: DynamoDBRecord) => r.dynamodb?.Keys?.id?.S ?? '';
  for (const r of shard.records) {
    const seq = r.dynamodb?.SequenceNumber as string;
    const id = idOf(r);
    if (id === 'mangled-image') {
      (r.dynamodb as Record<string, unknown>).NewImage = 'garbage';
      poison.set(seq, 'RECORD_MALFORMED');
    } else if (id === 'mangled-event') {
      r.eventName = 'UPSERT' as DynamoDBRecord['eventName'];
      poison.set(seq, 'RECORD_MALFORMED');
    } else if (id.startsWith('bad-')) poison.set(seq, 'VALUE_INVALID');
    else if (id === 'turns-bad' && r.eventName !== 'INSERT') poison.set(seq, 'VALUE_INVALID');
  }
  expect(poison.size).toBe(9);
});

describe.each<ExactlyOnceStrategy>(['row-watermark', 'transaction'])('dead letters (%s)', (strategy) => {
  it('go to the dead-letter table with code and reason; the rest equals the oracle minus exactly them', async () => {
    const table = await pipeline.newAggregateTable(`agg-dlq-${strategy}`);
    const dlq = await pipeline.newDeadLetterTable(`dlq-${strategy}`);
    const handler = pipeline.handler({ table, strategy, deadLetter: { table: dlq } });
    for (let round = 0; round < 2; round++) {
      // delivered twice: a redelivered poison record overwrites its own dead letter
      for (const res of await deliver(handler, shard, { batchSize: 30 }))
        expect(res.batchItemFailures).toEqual([]);
    }
    // the letters (their id entries left out)
    const letters = (await scanTable(clients.ddb, dlq)).filter((l) => l.partOf?.S !== ID_ENTRY_SK);
    expect(letters.map((l) => l.sk?.S).sort()).toEqual([...poison.keys()].sort());
    for (const l of letters) {
      const seq = l.sk?.S as string;
      expect(l.code?.S, seq).toBe(poison.get(seq));
      expect(l.reason?.S?.length ?? 0).toBeGreaterThan(20);
      expect(l.pk?.S).toBe(`${pipeline.streamArn}|${shard.shardId}`);
      const record = decodeLetter(l, []).record as DynamoDBRecord;
      expect(record.dynamodb?.SequenceNumber).toBe(seq);
    }
    const reasons = letters.map((l) => l.reason?.S ?? '').join('\n');
    expect(reasons).toMatch(/customerId/);
    expect(reasons).toMatch(/createdAt/);
    expect(reasons).toMatch(/scannedAt/);

    const expected = expectedCells(Object.values(ORACLE), replay([shard], { skip: new Set(poison.keys()) }));
    // the job that turned bad still counts with its first image, for its customer c-9
    expect([...expected.keys()].some((k) => k.startsWith('jobs|[["string","c-9"]]|day|'))).toBe(true);
    expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
  });
});
