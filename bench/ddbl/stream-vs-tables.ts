// npx tsx bench/ddbl/stream-vs-tables.ts [--levels=0,100,300,1000] [--fillers=streams,plain] [--items=20]
//                                        [--repeats=2] [--writes=300]
//
// Does DynamoDB Local slow down as it holds more tables, with or without streams? A full test run shares one
// DynamoDB Local across ~500 files, most of which never delete their tables, and the bench tests that price writes
// from a stream (bench/suites/image-pricing.int.test.ts, buffered.int.test.ts) took 6-10 times their usual time
// late in such a run. This starts a private DynamoDB Local (the library's `startDynamoDbLocal`, with the test
// run's JVM options) per filler kind and grows it to each of `--levels` other tables, each holding `--items`
// items, with a NEW_AND_OLD_IMAGES stream (`streams`) or without (`plain`). At each level it reads the JVM's CPU
// over 5 s without requests and its thread count (/proc), then times a fixed probe `--repeats` times: create a
// table with a NEW_AND_OLD_IMAGES stream, `--writes` PutItems (16 in flight; the JVM's CPU during them too), one
// DescribeStream, the whole stream read with `readStreamRecords`, 50 Query calls one after another, and delete the
// probe table. Prints one line per level (median of the repeats, ms) and a table at the end.
//
// What it showed (2026-12-06, 2 cores at load 12-18, so single figures are noisy): beside tables with streams,
// writes slow as their number grows: 300 PutItems took 0.9-2 s beside 0-100 of them, 2.3-22 s beside 300-500 and 15
// s beside 1,000 (the JVM's CPU for them: 0.76 s at 0, 1.57 s at 300), and filling the instance went from 0.06 s to
// 0.9 s a table; 50 Queries took 0.25-0.7 s at 0-100, 0.4-2 s at 300-1,000. Reading the probe's stream
// (DescribeStream, GetShardIterator, GetRecords) did not slow (0.02-0.26 s throughout). Beside as many tables
// without streams nothing slowed (300 PutItems 0.6-1 s at 1,000 tables; their JVM CPU 0.64 s at 0, 0.43 s at 300).
// The idle JVM burns little (2 ms/s of CPU at 0, 20 at 500): the cost is per write, not in the background.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  localClientConfig,
  localStreamsClientConfig,
  startDynamoDbLocal,
} from '../../packages/dynotally/src/local/index.ts';
import { readStreamRecords } from '../../packages/dynotally/src/streams/index.ts';
import { DDB_LOCAL_JVM_OPTIONS, withJvmOptions } from '../../test/support/jvm-options.ts';
import { runPool } from '../contenders/pool.ts';

type Filler = 'streams' | 'plain';

interface ProbeTimes {
  createMs: number;
  putMs: number;
  /** DynamoDB Local's CPU during the PutItems, ms. */
  putCpuMs: number;
  describeMs: number;
  readMs: number;
  queryMs: number;
  records: number;
}

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v = ''] = a.replace(/^--/, '').split('=');
    return [k ?? '', v] as const;
  }),
);
const LEVELS = (args.get('levels') ?? '0,100,300,1000').split(',').map(Number);
const FILLERS = (args.get('fillers') ?? 'streams,plain').split(',') as Filler[];
const ITEMS = Number(args.get('items') ?? 20);
const REPEATS = Number(args.get('repeats') ?? 2);
const WRITES = Number(args.get('writes') ?? 300);
const IN_FLIGHT = 16;

const keySchema = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  BillingMode: 'PAY_PER_REQUEST' as const,
};
const IMAGES = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const };

function item(i: number): Record<string, { S: string } | { N: string }> {
  return { pk: { S: `p${i % 10}` }, sk: { S: `s${i}` }, n: { N: String(i) }, pad: { S: 'x'.repeat(200) } };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

async function addFillers(ddb: DynamoDBClient, kind: Filler, from: number, to: number): Promise<void> {
  const indexes = Array.from({ length: to - from }, (_, i) => from + i);
  await runPool(indexes, 4, async (n) => {
    const table = `filler-${kind}-${n}`;
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        ...keySchema,
        ...(kind === 'streams' ? { StreamSpecification: IMAGES } : {}),
      }),
    );
    for (let i = 0; i < ITEMS; i++) await ddb.send(new PutItemCommand({ TableName: table, Item: item(i) }));
  });
}

async function probe(
  ddb: DynamoDBClient,
  streams: DynamoDBStreamsClient,
  name: string,
  pid: number,
): Promise<ProbeTimes> {
  const [created, createMs] = await timed(() =>
    ddb.send(new CreateTableCommand({ TableName: name, ...keySchema, StreamSpecification: IMAGES })),
  );
  const arn = created.TableDescription?.LatestStreamArn;
  if (arn === undefined) throw new Error(`${name}: no stream ARN`);
  const cpu0 = jvm(pid).cpuMs;
  const [, putMs] = await timed(() =>
    runPool(
      Array.from({ length: WRITES }, (_, i) => i),
      IN_FLIGHT,
      (i) => ddb.send(new PutItemCommand({ TableName: name, Item: item(i) })),
    ),
  );
  const putCpuMs = jvm(pid).cpuMs - cpu0;
  const [, describeMs] = await timed(() => streams.send(new DescribeStreamCommand({ StreamArn: arn })));
  const [shards, readMs] = await timed(() => readStreamRecords(streams, arn));
  const records = shards.reduce((sum, s) => sum + s.records.length, 0);
  const [, queryMs] = await timed(async () => {
    for (let i = 0; i < 50; i++) {
      await ddb.send(
        new QueryCommand({
          TableName: name,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: `p${i % 10}` } },
        }),
      );
    }
  });
  await ddb.send(new DeleteTableCommand({ TableName: name }));
  return { createMs, putMs, putCpuMs, describeMs, readMs, queryMs, records };
}

/** The JVM's CPU time (user + system, ms) and thread count, from /proc. */
function jvm(pid: number): { cpuMs: number; threads: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const threads = Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuMs: ticks * 10, threads };
}

/** CPU the JVM burns while no request is sent, per second, measured over 5 s. */
async function idleCpu(pid: number): Promise<{ msPerSecond: number; threads: number }> {
  const before = jvm(pid).cpuMs;
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const after = jvm(pid);
  return { msPerSecond: (after.cpuMs - before) / 5, threads: after.threads };
}

function load(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const rows: string[] = [];
for (const kind of FILLERS) {
  const [local, startMs] = await timed(() =>
    withJvmOptions(DDB_LOCAL_JVM_OPTIONS, () => startDynamoDbLocal()),
  );
  console.log(`${kind}: DynamoDB Local started in ${(startMs / 1000).toFixed(1)} s (load ${load()})`);
  const ddb = new DynamoDBClient({ ...localClientConfig(local.endpoint), maxAttempts: 8 });
  const streams = new DynamoDBStreamsClient({ ...localStreamsClientConfig(local.endpoint), maxAttempts: 8 });
  try {
    let have = 0;
    for (const level of LEVELS) {
      const [, fillMs] = await timed(() => addFillers(ddb, kind, have, level));
      have = Math.max(have, level);
      const idle = await idleCpu(local.pid);
      const runs: ProbeTimes[] = [];
      for (let r = 0; r < REPEATS; r++)
        runs.push(await probe(ddb, streams, `probe-${kind}-${level}-${r}`, local.pid));
      const m = (k: keyof ProbeTimes): string => median(runs.map((run) => run[k])).toFixed(0);
      const row = `| ${kind} | ${level} | ${m('createMs')} | ${m('putMs')} | ${m('putCpuMs')} | ${m('describeMs')} | ${m('readMs')} | ${m('queryMs')} | ${m('records')} | ${idle.msPerSecond.toFixed(0)} | ${idle.threads} |`;
      rows.push(row);
      console.log(`${row}  (fill ${(fillMs / 1000).toFixed(1)} s, load ${load()})`);
    }
  } finally {
    ddb.destroy();
    streams.destroy();
    await local.stop();
  }
}
console.log(
  `\nprobe: ${WRITES} PutItems, whole stream read, 50 Queries; other tables hold ${ITEMS} items each; median of ${REPEATS}, ms`,
);
console.log(
  '| other tables | how many | CreateTable | PutItem ×300 | its JVM CPU | DescribeStream | read stream | Query ×50 | records |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
