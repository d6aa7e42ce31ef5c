// Every read-side request builder, sent to DynamoDB Local in each shape it can take: small and large
// projections (past the 100-attribute cut-off), one row and ranges, more than 100 keys, pagination, and
// BatchGetItem answers over 16 MB (UnprocessedKeys). DynamoDB validates the whole request (an unused
// ExpressionAttributeNames entry, overlapping projection paths, duplicate keys are all rejected), so each
// shape must be accepted and return exactly the rows and attributes asked for.
import { type AttributeValue, BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { simulate } from '../../../../test/support/stream-sim.ts';
import { Applier } from '../apply/index.ts';
import { count, defineRollup, last } from '../definition/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { emptyStats, runBatchGet, runQuery } from './fetch.ts';
import { createQueryClient } from './index.ts';
import { latestScanParams } from './plan-latest.ts';
import { batchGetParams, runQueryParams } from './request-params.ts';
import type { RowRun } from './row-reads.ts';

const clients = testClients();
afterAll(() => clients.destroy());

let table = '';
beforeAll(async () => {
  table = uniqueTableName('query-shapes');
  await createAggregateTable(clients.ddb, table);
});

/** Attribute names `a0 … a(n-1)`. */
const names = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`);

async function putRows(pk: string, sks: readonly string[], attrs: readonly string[], pad = 0): Promise<void> {
  const items = sks.map((sk) => {
    const item: Record<string, AttributeValue> = { pk: { S: pk }, sk: { S: sk } };
    for (const a of attrs) item[a] = { N: '1' };
    if (pad > 0) item.pad = { S: 'x'.repeat(pad) };
    return item;
  });
  if (pad > 0) {
    for (const Item of items) await clients.ddb.send(new PutItemCommand({ TableName: table, Item }));
    return;
  }
  for (let i = 0; i < items.length; i += 25) {
    await clients.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** A run over `sks` as the planner makes it (only the labels and attributes matter to the builder). */
function run(sks: readonly string[], attrs: readonly string[]): RowRun {
  const rows = sks.map((label, i) => ({ label, start: i, end: i + 1 }));
  return {
    kind: undefined as never,
    rows: rows as unknown as RowRun['rows'],
    attrs,
    perRow: new Map(sks.map((s) => [s, attrs])),
  };
}

const sks = (n: number) => Array.from({ length: n }, (_, i) => `H2026-03-01T${String(i).padStart(4, '0')}`);

describe('read request shapes on DynamoDB Local', () => {
  for (const n of [0, 5, 100, 101, 250]) {
    it(`BatchGetItem with ${n} projected attribute(s), 1 and 130 keys`, async () => {
      const pk = `bg-${n}`;
      const attrs = names(n);
      await putRows(pk, sks(130), [...attrs, 'other']);
      for (const keys of [1, 130]) {
        const inputs = batchGetParams(
          table,
          sks(keys).map((sk) => ({ pk, sk, attrs })),
          false,
        );
        expect(inputs).toHaveLength(Math.ceil(keys / 100));
        const stats = emptyStats();
        const items = (await Promise.all(inputs.map((i) => runBatchGet(clients.ddb, i, stats)))).flat();
        expect(items).toHaveLength(keys);
        for (const it of items) {
          for (const a of attrs) expect(it[a]).toEqual({ N: '1' });
          expect(it.pk?.S).toBe(pk);
          // a projection up to the cut-off leaves out what was not asked for
          if (n <= 100) expect(it.other).toBeUndefined();
        }
      }
    });

    it(`Query of 1 row and of a 40-row range with ${n} projected attribute(s)`, async () => {
      const pk = `q-${n}`;
      const attrs = names(n);
      await putRows(pk, sks(40), [...attrs, 'other']);
      for (const rows of [1, 40]) {
        const items = await runQuery(
          clients.ddb,
          runQueryParams(table, pk, run(sks(rows), attrs), true),
          emptyStats(),
        );
        expect(items).toHaveLength(rows);
        for (const it of items) {
          for (const a of attrs) expect(it[a]).toEqual({ N: '1' });
          if (n <= 100) expect(it.other).toBeUndefined();
        }
      }
    });
  }

  it('a projection naming an attribute twice, or pk/sk, is still one valid path each', async () => {
    const pk = 'dup';
    await putRows(pk, sks(3), ['a0', 'a1']);
    const attrs = ['a0', 'a0', 'pk', 'sk', 'a1'];
    const items = await runQuery(
      clients.ddb,
      runQueryParams(table, pk, run(sks(3), attrs), false),
      emptyStats(),
    );
    expect(items).toHaveLength(3);
    const [input] = batchGetParams(table, [{ pk, sk: sks(1)[0] as string, attrs }], false);
    const got = await runBatchGet(clients.ddb, input as NonNullable<typeof input>, emptyStats());
    expect(got[0]?.a1).toEqual({ N: '1' });
    // the same key twice (DynamoDB rejects duplicate keys) is read once, for both attribute lists
    const sk = sks(1)[0] as string;
    const twice = batchGetParams(
      table,
      [
        { pk, sk, attrs: ['a0'] },
        { pk, sk, attrs: ['a1'] },
      ],
      false,
    );
    const both = await runBatchGet(clients.ddb, twice[0] as NonNullable<(typeof twice)[0]>, emptyStats());
    expect(both).toEqual([{ pk: { S: pk }, sk: { S: sk }, a0: { N: '1' }, a1: { N: '1' } }]);
  });

  it('a Query over 1 MB pages through every row', async () => {
    const pk = 'pages';
    await putRows(pk, sks(12), ['a0'], 200_000); // 2.4 MB: at least 3 pages
    const stats = emptyStats();
    const items = await runQuery(clients.ddb, runQueryParams(table, pk, run(sks(12), ['a0']), false), stats);
    expect(items).toHaveLength(12);
    expect(stats.requests).toBeGreaterThan(1);
  });

  it('a BatchGetItem over 16 MB of rows gets every row (UnprocessedKeys re-sent)', async () => {
    const pk = 'big';
    const big = sks(45);
    await putRows(pk, big, names(150), 390_000); // 45 × ~390 KB ≈ 17.6 MB, read whole (150 attributes)
    const [input] = batchGetParams(
      table,
      big.map((sk) => ({ pk, sk, attrs: names(150) })),
      false,
    );
    const stats = emptyStats();
    const items = await runBatchGet(clients.ddb, input as NonNullable<typeof input>, stats);
    expect(new Set(items.map((i) => i.sk?.S))).toEqual(new Set(big));
    expect(stats.requests).toBeGreaterThan(1); // DynamoDB Local cuts the answer at 16 MB too
  });

  it('the newest-first latest() Query pages with its Limit', async () => {
    const pk = 'latest';
    await putRows(pk, sks(7), ['a0']);
    const stats = emptyStats();
    const items = await runQuery(clients.ddb, latestScanParams(table, pk, 'H', false, 3), stats);
    expect(items.map((i) => i.sk?.S)).toEqual([...sks(7)].reverse());
    expect(stats.requests).toBeGreaterThanOrEqual(3);
  });
});

describe('issue 11 #10: a read needing more than 100 attributes', () => {
  it('total() over 17 days of hour, day and week rows with 5 counts', async () => {
    const t = uniqueTableName('query-wide');
    await createAggregateTable(clients.ddb, t);
    const wide = defineRollup({
      name: 'wide',
      groupBy: 'g',
      time: { attribute: 'ts', format: 'epoch-millis' },
      granularities: ['hour', 'day', 'week'],
      measures: { c1: count(), c2: count(), c3: count(), c4: count(), c5: count(), l: last('ts') },
    });
    const from = Date.parse('2026-03-01T01:00:00Z');
    const to = Date.parse('2026-03-17T23:00:00Z');
    const times = [from, from + 3_600_000, Date.parse('2026-03-09T12:00:00Z'), to - 1, to, from - 1];
    const sim = simulate(
      times.map((ts, i) => ({
        kind: 'put' as const,
        key: `k${i}`,
        item: { g: { S: 'x' }, ts: { N: String(ts) } },
      })),
    );
    await new Applier({ lateRecords: 'apply', client: clients.ddb, table: t, rollups: [wide] }).apply({
      records: sim.records,
      shardId: 's-1',
    });
    const query = createQueryClient({ client: clients.ddb, table: t, rollups: [wide] });
    const r = await query.total(
      wide,
      { g: 'x' },
      { from: '2026-03-01T01:00:00Z', to: '2026-03-17T23:00:00Z' },
    );
    expect(r.values).toMatchObject({ c1: 4, c2: 4, c3: 4, c4: 4, c5: 4 });
  });
});
