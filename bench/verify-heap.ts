// node --expose-gc --import tsx bench/verify-heap.ts [--items=100000] [--groups=50000] [--runs=2]
//   [--src=<packages/dynotally/src of another checkout>]... [--out=docs/performance/verify-heap-<date>.json]
//
// Peak heap of `verify` over a source table of `--items` items in `--groups` groups (rollup: a count per customer,
// `all` and `month` granularities, so two stored rows per group), on a DynamoDB Local this script starts. The stored
// rows are written directly from the recomputed ones (so verify finds 0 drift). Each `--src` tree's verify runs
// `--runs` times, the trees taking turns. The live heap is sampled every 250 ms during the call: a forced full GC,
// then `heapUsed`, above the level after a GC before the call (without the GC the figure is mostly garbage not yet
// collected, and varies by a third from run to run). Prints one JSON object (and writes it to `--out` when given).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AttributeValue, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../packages/dynotally/src/apply/map-limit.ts';
import { count, defineRollup } from '../packages/dynotally/src/definition/index.ts';
import { localClientConfig, startDynamoDbLocal } from '../packages/dynotally/src/local/index.ts';
import { createAggregateTable, createSourceTable } from '../packages/dynotally/src/tables/index.ts';
import { expectedRows } from '../packages/dynotally/src/verify/index.ts';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ITEMS = Number(arg('items', '100000'));
const GROUPS = Number(arg('groups', '50000'));
const RUNS = Number(arg('runs', '2'));
const srcs = process.argv.filter((a) => a.startsWith('--src=')).map((a) => resolve(a.slice('--src='.length)));
if (srcs.length === 0) srcs.push(resolve('packages/dynotally/src'));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const rollup = defineRollup({
  name: 'cust',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all', 'month'],
  measures: { n: count() },
});
const BASE = Date.UTC(2026, 10, 1);

async function writeAll(client: DynamoDBClient, table: string, items: Record<string, AttributeValue>[]) {
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
    items.slice(i * 25, i * 25 + 25),
  );
  await mapLimit(batches, 16, async (batch) => {
    let request: Record<string, { PutRequest: { Item: Record<string, AttributeValue> } }[]> | undefined = {
      [table]: batch.map((Item) => ({ PutRequest: { Item } })),
    };
    while (request !== undefined && Object.keys(request).length > 0)
      request = (await client.send(new BatchWriteItemCommand({ RequestItems: request })))
        .UnprocessedItems as typeof request;
  });
}

const local = await startDynamoDbLocal();
const client = new DynamoDBClient(localClientConfig(local.endpoint));
try {
  const source = 'vh-source';
  const table = 'vh-aggregates';
  await createSourceTable(client, source, { id: 'S' });
  await createAggregateTable(client, table);
  await writeAll(
    client,
    source,
    Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      customerId: { S: `c-${i % GROUPS}` },
      t: { N: String(BASE + ((i * 7919) % (20 * 86_400_000))) },
    })),
  );
  const exp = await expectedRows(client, source, rollup.compiled, () => true, {
    segments: 4,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  await writeAll(
    client,
    table,
    [...exp.rows.values()].map((r) => ({
      pk: { S: r.pk },
      sk: { S: r.sk },
      ...Object.fromEntries([...r.sums].map(([a, v]) => [a, { N: String(v) }])),
    })),
  );
  const storedRowCount = exp.rows.size;
  const trees = await Promise.all(
    srcs.map(async (src) => ({
      src,
      verify: (
        (await import(pathToFileURL(resolve(src, 'verify/index.ts')).href)) as {
          verify: (
            o: Record<string, unknown>,
          ) => Promise<{ drift: unknown[]; rows: number; scannedItems: number }>;
        }
      ).verify,
      peaks: [] as number[],
      seconds: [] as number[],
    })),
  );
  for (let run = 0; run < RUNS; run++)
    for (const tree of trees) {
      gc();
      const base = process.memoryUsage().heapUsed;
      let peak = base;
      const timer = setInterval(() => {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }, 250);
      const started = Date.now();
      const report = await tree.verify({ client, source, table, rollup, passes: 1, segments: 4 });
      clearInterval(timer);
      if (report.drift.length !== 0 || report.scannedItems !== ITEMS) throw new Error('unexpected report');
      tree.peaks.push(Math.round(((peak - base) / 1024 / 1024) * 10) / 10);
      tree.seconds.push(Math.round((Date.now() - started) / 100) / 10);
    }
  const result = {
    what: 'peak live heap during one verify (passes: 1, segments: 4): heapUsed after a forced GC every 250 ms, above the post-GC level before the call, MiB',
    items: ITEMS,
    groups: GROUPS,
    storedRows: storedRowCount,
    node: process.version,
    trees: trees.map(({ src, peaks, seconds }) => ({ src, peakLiveHeapMiB: peaks, seconds })),
  };
  const text = JSON.stringify(result, null, 2);
  console.log(text);
  const out = arg('out', '');
  if (out !== '') writeFileSync(out, `${text}\n`);
} finally {
  client.destroy();
  await local.stop();
}
