// Dead letters at scale (session 42): `deadLetterPages` and `replayDeadLetterResults` page through the dead-letter
// table (scan requests of `pageSize` items; the replay's scan reads keys only and each letter is read alone), filter
// by code, rollup and time, replay in the records' sequence order (not the hosts' clocks), and still count each
// record exactly once (the letters' replay equals the handler's delivery of the same records).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  deadLetterPages,
  listDeadLetters,
  replayDeadLetterResults,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import { deliverAll, Pipeline, type ShardStream } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** Every request the test client sends to a table: its command, input and the items a scan answered. */
const requests: Array<{ command: string; input: Record<string, unknown>; items?: number }> = [];
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    const out = await next(args);
    const items = (out.output as { Items?: unknown[] }).Items;
    requests.push({
      command: context.commandName as string,
      input: args.input as Record<string, unknown>,
      ...(items === undefined ? {} : { items: items.length }),
    });
    return out;
  },
  { step: 'initialize', name: 'countRequests' },
);
const sentTo = (table: string, command: string) =>
  requests.filter((r) => r.command === command && r.input.TableName === table);

const N = 120;
const PAGE = 25;
const T0 = Date.UTC(2026, 11, 1, 12);
const CUSTOMERS = ['acme', 'beta', 'gamma'];

let pipeline: Pipeline;
let shards: ShardStream[];
let records: DynamoDBRecord[];

/** The letter of record `i`: every 4th a fold refusal naming a rollup (jobs, then scans), the others retries. */
function letterOf(i: number, record: DynamoDBRecord, shardId: string): DeadLetter {
  const fold = i % 4 === 0;
  return {
    source: pipeline.streamArn,
    shardId,
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    eventId: record.eventID,
    code: fold ? 'VALUE_INVALID' : 'RETRIES_EXHAUSTED',
    reason: fold ? `rollup '${i % 8 === 0 ? 'jobs' : 'scans'}': a bad value` : `failed ${i}`,
    record,
    // the first half dead-lettered at T0, the second two hours later
    at: T0 + (i < N / 2 ? 0 : 7_200_000) + i,
  };
}

async function tableOfLetters(name: string): Promise<string> {
  const dlq = await pipeline.newDeadLetterTable(name);
  const letters: DeadLetter[] = [];
  let i = 0;
  for (const s of shards) for (const r of s.records) letters.push(letterOf(i++, r, s.shardId));
  await new DynamoDbDeadLetterSink(clients.ddb, dlq).send(letters);
  return dlq;
}

beforeAll(async () => {
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlpage');
  for (let i = 0; i < N; i++)
    await pipeline.put({
      id: { S: `j${i}` },
      type: { S: 'job' },
      customerId: { S: CUSTOMERS[i % 3] as string },
      createdAt: { N: String(Date.now() - 3_600_000 - i * 1_000) },
    });
  shards = await pipeline.readStream();
  records = shards.flatMap((s) => s.records);
  expect(records).toHaveLength(N);
});

describe('dead letters a page at a time', () => {
  it('deadLetterPages reads scan requests of pageSize items and never yields more than a page', async () => {
    const dlq = await tableOfLetters('dlq-pages');
    requests.length = 0;
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of deadLetterPages({ client: clients.ddb, table: dlq, pageSize: PAGE })) {
      pages.push(page.length);
      ids.push(...page.map((l) => l.id));
    }
    const scans = sentTo(dlq, 'ScanCommand');
    // 120 letters and their 120 id entries (session 43; the scan passes them, as parts), 25 items a request: 10
    // requests (an eleventh, empty, when the last page ends exactly at a page's end)
    expect(scans.length).toBeGreaterThanOrEqual(Math.ceil((2 * N) / PAGE));
    expect(scans.length).toBeLessThanOrEqual(Math.ceil((2 * N) / PAGE) + 1);
    for (const s of scans) {
      expect(s.input.Limit).toBe(PAGE);
      expect(s.items).toBeLessThanOrEqual(PAGE);
    }
    expect(Math.max(...pages)).toBeLessThanOrEqual(PAGE);
    // every letter once, the same as the whole list
    expect(ids).toHaveLength(N);
    expect(new Set(ids)).toEqual(
      new Set((await listDeadLetters({ client: clients.ddb, table: dlq })).map((l) => l.id)),
    );
    // stopped early: no further request
    requests.length = 0;
    for await (const _ of deadLetterPages({ client: clients.ddb, table: dlq, pageSize: PAGE })) break;
    // the requests up to the first page of letters (before it, pages of id entries alone), none after it
    const untilFirst = sentTo(dlq, 'ScanCommand').map((s) => s.items);
    expect(untilFirst.at(-1)).toBeGreaterThan(0);
    expect(untilFirst.slice(0, -1).every((n) => n === 0)).toBe(true);
  });

  it('filters by code, rollup and time, as the whole list filtered by hand', async () => {
    const dlq = await tableOfLetters('dlq-filter');
    const all = await listDeadLetters({ client: clients.ddb, table: dlq });
    const paged = async (f: Parameters<typeof deadLetterPages>[0]) => {
      const out: string[] = [];
      for await (const page of deadLetterPages(f)) out.push(...page.map((l) => l.id));
      return out.sort();
    };
    const store = { client: clients.ddb, table: dlq, pageSize: PAGE };
    const expectIds = (ls: typeof all) => ls.map((l) => l.id).sort();

    const codes = await paged({ ...store, codes: ['VALUE_INVALID'] });
    expect(codes).toHaveLength(N / 4);
    expect(codes).toEqual(expectIds(all.filter((l) => l.code === 'VALUE_INVALID')));
    expect(await paged({ ...store, codes: ['VALUE_INVALID', 'RETRIES_EXHAUSTED'] })).toHaveLength(N);

    const jobs = await paged({ ...store, rollup: 'jobs' });
    expect(jobs).toHaveLength(N / 8);
    expect(jobs).toEqual(expectIds(all.filter((l) => l.reason.startsWith("rollup 'jobs'"))));

    const late = await paged({ ...store, since: T0 + 3_600_000 });
    expect(late).toEqual(expectIds(all.filter((l) => l.at >= T0 + 3_600_000)));
    expect(late).toHaveLength(N / 2);
    const early = await paged({ ...store, until: T0 + 3_600_000, codes: ['RETRIES_EXHAUSTED'] });
    expect(early).toEqual(
      expectIds(all.filter((l) => l.at < T0 + 3_600_000 && l.code === 'RETRIES_EXHAUSTED')),
    );
    await expect(paged({ ...store, since: 2, until: 1 })).rejects.toThrow(/not before until/);
    await expect(paged({ ...store, pageSize: 0 })).rejects.toThrow(/pageSize/);
  });

  it('replays every letter exactly once, a letter at a time, its scan reading keys only', async () => {
    const dlq = await tableOfLetters('dlq-replay');
    const table = await pipeline.newAggregateTable('agg-paged');
    const control = await pipeline.newAggregateTable('agg-control');
    await deliverAll(pipeline.handler({ table: control }), shards);

    requests.length = 0;
    const options = {
      client: clients.ddb,
      deadLetterTable: dlq,
      table,
      rollups: referenceRollups,
      all: true,
      pageSize: PAGE,
    } as const;
    const seen: string[] = [];
    for await (const r of replayDeadLetterResults(options)) {
      expect(r.outcome).toBe('replayed');
      seen.push(r.id);
    }
    expect(seen).toHaveLength(N);
    const scans = sentTo(dlq, 'ScanCommand');
    expect(scans.length).toBeGreaterThanOrEqual(Math.ceil(N / PAGE));
    for (const s of scans) {
      expect(s.input.Limit).toBe(PAGE);
      // keys, sequence number and time: never a body
      expect(s.input.ProjectionExpression).toBe('pk, sk, seq, #at');
      expect(s.items).toBeLessThanOrEqual(PAGE);
    }
    // each letter's body read on its own, once
    expect(sentTo(dlq, 'GetItemCommand')).toHaveLength(N);
    expect(await pipeline.canonical(table)).toEqual(await pipeline.canonical(control));

    // again: nothing selected, nothing counted twice
    expect(await replayDeadLetters(options)).toEqual([]);
    expect(await pipeline.canonical(table)).toEqual(await pipeline.canonical(control));
  });

  it('replays only what the filter selects, and the rest later, once', async () => {
    const dlq = await tableOfLetters('dlq-replay-filter');
    const table = await pipeline.newAggregateTable('agg-filter');
    const control = await pipeline.newAggregateTable('agg-filter-control');
    await deliverAll(pipeline.handler({ table: control }), shards);
    const base = { client: clients.ddb, deadLetterTable: dlq, table, rollups: referenceRollups, all: true };
    const first = await replayDeadLetters({
      ...base,
      codes: ['VALUE_INVALID'],
      since: T0 + 3_600_000,
      pageSize: 7,
    });
    expect(first).toHaveLength(N / 8);
    const rest = await replayDeadLetters({ ...base, pageSize: 50 });
    expect(rest).toHaveLength(N - N / 8);
    expect(new Set([...first, ...rest].map((r) => r.id)).size).toBe(N);
    expect(await pipeline.canonical(table)).toEqual(await pipeline.canonical(control));
    await expect(
      replayDeadLetters({ ...base, all: undefined, ids: [first[0]?.id as string], codes: ['X'] }),
    ).rejects.toThrow(/with ids/);
  });

  it("orders by the records' sequence numbers across shards, not by the dead-lettering hosts' clocks", async () => {
    // two letters of one row: the parent shard's record (lower sequence number) dead-lettered by a host whose
    // clock runs 5 s ahead, the child shard's by one on time: by time the child's came first
    const dlq = await pipeline.newDeadLetterTable('dlq-order');
    const row = { pk: 'jobs#acme', sk: 'H2026-12-01T12:00', adds: [['n', '1']] as const };
    const letter = (shardId: string, seq: string, at: number): DeadLetter => ({
      source: pipeline.streamArn,
      shardId,
      sequenceNumber: seq,
      eventId: undefined,
      code: 'ROW_REJECTED',
      reason: 'refused',
      record: undefined,
      at,
      deltas: [{ ...row, adds: [...row.adds] }],
    });
    await new DynamoDbDeadLetterSink(clients.ddb, dlq).send([
      letter('shardId-child', '300000000000000000020', T0),
      letter('shardId-parent', '300000000000000000010', T0 + 5_000),
      // within one shard, a shorter sequence number is the smaller one
      letter('shardId-parent', '99000000000000000001', T0 + 9_000),
    ]);
    const byId = new Map(
      (await listDeadLetters({ client: clients.ddb, table: dlq })).map((l) => [l.id, l.sequenceNumber]),
    );
    const table = await pipeline.newAggregateTable('agg-order');
    const results = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlq,
      table,
      rollups: referenceRollups,
      all: true,
    });
    expect(results.map((r) => byId.get(r.id))).toEqual([
      '99000000000000000001',
      '300000000000000000010',
      '300000000000000000020',
    ]);
    // ids given in another order are replayed in the same order
    const again = await pipeline.newDeadLetterTable('dlq-order-ids');
    await new DynamoDbDeadLetterSink(clients.ddb, again).send([
      letter('shardId-child', '300000000000000000020', T0),
      letter('shardId-parent', '300000000000000000010', T0 + 5_000),
    ]);
    const listed = await listDeadLetters({ client: clients.ddb, table: again });
    expect(listed.map((l) => l.sequenceNumber)).toEqual(['300000000000000000020', '300000000000000000010']);
    const byIds = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: again,
      table,
      rollups: referenceRollups,
      ids: listed.map((l) => l.id),
    });
    expect(byIds.map((r) => r.id)).toEqual([listed[1]?.id, listed[0]?.id]);
  });
});
