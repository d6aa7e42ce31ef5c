// Suite 3: queries. A fixed-seed S0-like and S4-like data set is folded into DynamoDB Local by dynotally, and
// stored the reference systems' way (one row per minute, hour and day) beside it; then the same three
// questions are asked of both, in the same run: a rolling 24 h at minute precision, 30 days by day, top 10.

import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DeleteTableCommand,
  type DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { calendarFor, parseGranularity } from '../../packages/dynotally/src/time/index.ts';
import { createKeyValueTable } from '../contenders/aggregate-table.ts';
import { DEFAULT_SEED } from '../workload/index.ts';
import {
  BENCH_NOW,
  benchJobs,
  benchStores,
  type DatasetSizes,
  s0Dataset,
  s4Dataset,
  writeBaselineRows,
} from './query-datasets.ts';

/** Options of {@link runQueryBench}. */
export interface QueryBenchOptions extends Partial<DatasetSizes> {
  /** A client for DynamoDB Local (never destroyed). */
  client: DynamoDBClient;
  /** Timed repeats per query (the median is reported); default 15. */
  repeats?: number;
  /** Keep the tables afterwards (default: delete them). */
  keepTables?: boolean;
  progress?: (line: string) => void;
}

/** What one system read to answer one question. */
export interface QueryFigure {
  query: 'rolling 24 h at minute precision (S0)' | '30 days by day (S4)' | 'top 10 stores by orders (S4)';
  system: 'dynotally' | 'baseline';
  how: string;
  requests: number;
  items: number;
  readUnits: number;
  /** Median latency over the repeats, ms (client-side, DynamoDB Local). */
  medianMs: number;
  /** Same answer as the other system. */
  agrees: boolean;
}

/** The suite's result: figures, dynotally ÷ baseline ratios, and a markdown table. */
export interface QueryBenchResult {
  sizes: DatasetSizes;
  now: string;
  rows: { dynotally: number; baseline: number };
  figures: QueryFigure[];
  ratios: Array<{ query: QueryFigure['query']; items: number; readUnits: number; latency: number }>;
  markdown: string;
}

interface Measured<T> {
  answer: T;
  requests: number;
  items: number;
  readUnits: number;
  medianMs: number;
}

const units = (
  c: { CapacityUnits?: number | undefined } | Array<{ CapacityUnits?: number | undefined }> | undefined,
) => (Array.isArray(c) ? c : c === undefined ? [] : [c]).reduce((a, x) => a + (x.CapacityUnits ?? 0), 0);

async function timed<T>(
  repeats: number,
  run: () => Promise<{ answer: T; requests: number; items: number; readUnits: number }>,
): Promise<Measured<T>> {
  const first = await run(); // also the warm-up
  await run();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { ...first, medianMs: ms[Math.floor(ms.length / 2)] ?? 0 };
}

/**
 * Runs the query benchmark against the DynamoDB Local `client` points at.
 *
 * @example
 * ```ts
 * const local = await startDynamoDbLocal();
 * const client = new DynamoDBClient(localClientConfig(local.endpoint));
 * const result = await runQueryBench({ client });
 * console.log(result.markdown);
 * ```
 */
export async function runQueryBench(options: QueryBenchOptions): Promise<QueryBenchResult> {
  const { client } = options;
  const sizes: DatasetSizes = {
    seed: options.seed ?? DEFAULT_SEED,
    s0Customers: options.s0Customers ?? 20,
    s0EventsPerCustomer: options.s0EventsPerCustomer ?? 1500,
    s4Events: options.s4Events ?? 30_000,
    s4Stores: options.s4Stores ?? 200,
  };
  const repeats = options.repeats ?? 15;
  const progress = options.progress ?? (() => {});
  const suffix = `${Date.now().toString(36)}-${process.pid}`;
  const tables = { agg: `qb-agg-${suffix}`, s0: `qb-base-s0-${suffix}`, s4: `qb-base-s4-${suffix}` };

  progress('queries: generating data sets');
  const s0 = s0Dataset(sizes);
  const s4 = s4Dataset(sizes);
  await createAggregateTable(client, tables.agg);
  await createKeyValueTable(client, tables.s0);
  await createKeyValueTable(client, tables.s4);
  try {
    progress(`queries: folding ${s0.records.length + s4.records.length} records into ${tables.agg}`);
    const applier = new Applier({
      client,
      table: tables.agg,
      rollups: [benchJobs, benchStores],
      mode: 'at-least-once',
      now: () => BENCH_NOW,
    });
    let dynotallyRows = 0;
    for (const records of [s0.records, s4.records]) {
      for (let i = 0; i < records.length; i += 2000) {
        const { report } = await applier.apply({ records: records.slice(i, i + 2000) });
        dynotallyRows += report.rowsWritten;
      }
    }
    progress(`queries: writing ${s0.baseline.length + s4.baseline.length} one-row-per-bucket baseline rows`);
    await writeBaselineRows(client, tables.s0, s0.baseline);
    await writeBaselineRows(client, tables.s4, s4.baseline);

    const query = createQueryClient({
      client,
      table: tables.agg,
      rollups: [benchJobs, benchStores],
      now: () => BENCH_NOW,
    });
    const figures: QueryFigure[] = [];

    // 1. rolling 24 h at minute precision, the busiest customer
    progress('queries: rolling 24 h');
    const customer = { customerId: s0.hotGroup };
    const dyn24 = await timed(repeats, async () => {
      const r = await query.total(benchJobs, customer, { last: '24h' });
      return {
        answer: { value: r.values.jobs, window: r.window },
        requests: r.requests,
        items: r.itemsRead,
        readUnits: r.readUnits,
      };
    });
    const { from, to } = dyn24.answer.window;
    const keys = baselineKeys24h(from, to).map((sk) => ({
      pk: { S: `base-jobs#${s0.hotGroup}` },
      sk: { S: sk },
    }));
    const base24 = await timed(repeats, async () => {
      let requests = 0;
      let items = 0;
      let readUnits = 0;
      let sum = 0;
      let pending: Array<Record<string, AttributeValue>> | undefined = keys;
      while (pending !== undefined && pending.length > 0) {
        const out: BatchGetItemCommandOutput = await client.send(
          new BatchGetItemCommand({
            RequestItems: { [tables.s0]: { Keys: pending } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        requests++;
        readUnits += units(out.ConsumedCapacity);
        for (const it of out.Responses?.[tables.s0] ?? []) {
          items++;
          sum += Number(it.jobs?.N ?? 0);
        }
        pending = out.UnprocessedKeys?.[tables.s0]?.Keys;
      }
      return { answer: sum, requests, items, readUnits };
    });
    const agree24 = dyn24.answer.value === base24.answer;
    const plan24 = query.explain.total(benchJobs, customer, { last: '24h' });
    const rows24 = plan24.computedFrom.map((c) => `${c.buckets} ${c.granularity}`).join(' + ');
    figures.push(
      fig(
        'rolling 24 h at minute precision (S0)',
        'dynotally',
        `${plan24.requests.length} Query of ${plan24.rows.length} hour rows (${rows24})`,
        dyn24,
        agree24,
      ),
      fig(
        'rolling 24 h at minute precision (S0)',
        'baseline',
        `BatchGetItem of ${keys.length} hour + minute keys`,
        base24,
        agree24,
      ),
    );

    // 2. 30 days by day, the busiest store
    progress('queries: 30 days by day');
    const store = { storeId: s4.hotGroup };
    const dyn30 = await timed(repeats, async () => {
      const r = await query.series(benchStores, store, { granularity: 'day', window: { lastDays: 30 } });
      return {
        answer: r.points.map((p) => `${p.label}:${p.values.orders}/${p.values.views}`),
        requests: r.requests,
        items: r.itemsRead,
        readUnits: r.readUnits,
      };
    });
    const days = lastDays30();
    const base30 = await timed(repeats, async () => {
      let requests = 0;
      let items = 0;
      let readUnits = 0;
      const byDay = new Map<string, string>();
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await client.send(
          new QueryCommand({
            TableName: tables.s4,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
            ExpressionAttributeValues: {
              ':pk': { S: `base-store#${s4.hotGroup}` },
              ':a': { S: days[0] as string },
              ':b': { S: days[days.length - 1] as string },
            },
            ExclusiveStartKey: start,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        requests++;
        readUnits += units(out.ConsumedCapacity);
        for (const it of out.Items ?? []) {
          items++;
          byDay.set(it.sk?.S as string, `${it.orders?.N ?? 0}/${it.views?.N ?? 0}`);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return { answer: days.map((d) => `${d}:${byDay.get(d) ?? '0/0'}`), requests, items, readUnits };
    });
    const agree30 = JSON.stringify(dyn30.answer) === JSON.stringify(base30.answer);
    const plan30 = query.explain.series(benchStores, store, { granularity: 'day', window: { lastDays: 30 } });
    figures.push(
      fig(
        '30 days by day (S4)',
        'dynotally',
        `${plan30.requests.length} Query of ${plan30.rows.length} month rows (days packed)`,
        dyn30,
        agree30,
      ),
      fig('30 days by day (S4)', 'baseline', 'Query of 30 day rows', base30, agree30),
    );

    // 3. top 10 stores by orders, all time
    progress('queries: top 10');
    const dynTop = await timed(repeats, async () => {
      const r = await query.top(benchStores, { measure: 'orders', bucket: 'all', limit: 10 });
      return {
        answer: r.entries.map((e) => `${e.groupValues[0]}:${e.value}`),
        requests: r.requests,
        items: r.itemsRead,
        readUnits: r.readUnits,
      };
    });
    const baseTop = await timed(repeats, async () => {
      let requests = 0;
      let items = 0;
      let readUnits = 0;
      const all: Array<[string, number]> = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await client.send(
          new ScanCommand({
            TableName: tables.s4,
            FilterExpression: 'sk = :all',
            ExpressionAttributeValues: { ':all': { S: 'ALL' } },
            ExclusiveStartKey: start,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        requests++;
        readUnits += units(out.ConsumedCapacity);
        items += out.ScannedCount ?? 0;
        for (const it of out.Items ?? [])
          all.push([(it.pk?.S ?? '').slice('base-store#'.length), Number(it.orders?.N ?? 0)]);
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      const top = all
        .filter(([, v]) => v !== 0)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 10);
      return { answer: top.map(([s, v]) => `${s}:${v}`), requests, items, readUnits };
    });
    const agreeTop = JSON.stringify(dynTop.answer) === JSON.stringify(baseTop.answer);
    figures.push(
      fig(
        'top 10 stores by orders (S4)',
        'dynotally',
        'Query of the leaderboard index (descending, past ties)',
        dynTop,
        agreeTop,
      ),
      fig(
        'top 10 stores by orders (S4)',
        'baseline',
        'Scan of the all-time rows (no index), sort',
        baseTop,
        agreeTop,
      ),
    );

    const ratios = (
      [
        'rolling 24 h at minute precision (S0)',
        '30 days by day (S4)',
        'top 10 stores by orders (S4)',
      ] as const
    ).map((q) => {
      const d = figures.find((f) => f.query === q && f.system === 'dynotally') as QueryFigure;
      const b = figures.find((f) => f.query === q && f.system === 'baseline') as QueryFigure;
      return {
        query: q,
        items: d.items / b.items,
        readUnits: d.readUnits / b.readUnits,
        latency: d.medianMs / b.medianMs,
      };
    });
    return {
      sizes,
      now: new Date(BENCH_NOW).toISOString(),
      rows: { dynotally: dynotallyRows, baseline: s0.baseline.length + s4.baseline.length },
      figures,
      ratios,
      markdown: markdown(figures, ratios),
    };
  } finally {
    if (!options.keepTables) {
      for (const t of Object.values(tables))
        await client.send(new DeleteTableCommand({ TableName: t })).catch(() => {});
    }
  }
}

function fig(
  query: QueryFigure['query'],
  system: QueryFigure['system'],
  how: string,
  m: Measured<unknown>,
  agrees: boolean,
): QueryFigure {
  return {
    query,
    system,
    how,
    requests: m.requests,
    items: m.items,
    readUnits: m.readUnits,
    medianMs: m.medianMs,
    agrees,
  };
}

/** The reference system's keys for [from, to): whole hours by hour row, the partial hours' minutes by minute row (≤ 83). */
function baselineKeys24h(from: number, to: number): string[] {
  const cal = calendarFor('UTC');
  const minute = parseGranularity('minute');
  const hour = parseGranularity('hour');
  const keys: string[] = [];
  for (let t = from; t < to; ) {
    const h = cal.bucket(hour, t);
    if (h.start === t && h.end <= to) {
      keys.push(h.label);
      t = h.end;
    } else {
      keys.push(cal.bucket(minute, t).label);
      t += 60_000;
    }
  }
  return keys;
}

/** Day labels of the 30 days ending today (Europe/London). */
function lastDays30(): string[] {
  const cal = calendarFor('Europe/London');
  const day = parseGranularity('day');
  let b = cal.bucket(day, BENCH_NOW);
  const out = [b.label];
  for (let i = 1; i < 30; i++) {
    b = cal.previous(b, day);
    out.unshift(b.label);
  }
  return out;
}

function markdown(figures: readonly QueryFigure[], ratios: QueryBenchResult['ratios']): string {
  const n = (x: number, d = 1) => (Number.isInteger(x) ? String(x) : x.toFixed(d));
  const lines = [
    '| query | system | how | requests | items | read units | median ms | same answer |',
    '|---|---|---|--:|--:|--:|--:|:-:|',
    ...figures.map(
      (f) =>
        `| ${f.query} | ${f.system} | ${f.how} | ${f.requests} | ${f.items} | ${n(f.readUnits)} | ${n(f.medianMs, 2)} | ${f.agrees ? 'yes' : '**NO**'} |`,
    ),
    '',
    '| query | items (dynotally ÷ baseline) | read units | latency |',
    '|---|--:|--:|--:|',
    ...ratios.map(
      (r) => `| ${r.query} | ${r.items.toFixed(2)} | ${r.readUnits.toFixed(2)} | ${r.latency.toFixed(2)} |`,
    ),
  ];
  return lines.join('\n');
}
