// Suite 1: decode + fold + coalesce + plan (including building every row's request) over N records.
// Records are generated batch by batch, outside the timed sections, so the heap holds one batch of input at
// a time (as in Lambda) and the generator's cost is not counted.
import type { DynamoDBRecord } from 'aws-lambda';
import { Folder, foldBatch } from '../../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../../packages/dynotally/src/plan/index.ts';
import { workloadStreamRecords } from '../workload/index.ts';
import { type FoldBenchRequests, requestBuilder } from './fold-requests.ts';
import { foldBenchRollups } from './fold-rollups.ts';

/** Figures of one fold benchmark run. */
export interface FoldBenchResult {
  records: number;
  batchSize: number;
  /** The request built for each planned row (see {@link FoldBenchRequests}). */
  requests: FoldBenchRequests;
  /** Wall-clock time in the fold. */
  seconds: number;
  recordsPerSecond: number;
  /** CPU time of the process (user + system) in the fold: robust on a shared, loaded machine. */
  cpuSeconds: number;
  /** Records per CPU second: the "on one core" figure. */
  recordsPerCpuSecond: number;
  rowsPlanned: number;
  rowsPerRecord: number;
  /** Records that could not be folded (0 on this workload: anything else means the run measured errors). */
  poison: number;
  peakHeapMiB: number;
  /** Wall-clock ns per record in each stage: decode + fold + coalesce, plan, the rows' requests. */
  nsPerRecord: { fold: number; plan: number; params: number };
  /** CPU ns per record (process user + system) in each stage: what a shared machine's load moves least. */
  cpuNsPerRecord: { fold: number; plan: number; params: number };
}

/** Runs the fold benchmark on the seeded S4-like workload. */
export function runFoldBench(options: {
  records: number;
  batchSize?: number;
  seed?: number;
  /** Default `partiql`: the library's default write path. */
  requests?: FoldBenchRequests;
}): FoldBenchResult {
  const batchSize = options.batchSize ?? 1000;
  const requests = options.requests ?? 'partiql';
  const rollups = foldBenchRollups().map((r) => r.compiled);
  const folder = new Folder(rollups);
  const source = workloadStreamRecords({
    seed: options.seed ?? 20261025,
    events: options.records,
    stores: 1000,
  });
  const now = Date.UTC(2026, 9, 24);
  const shardId = 'shardId-1';
  const build = requestBuilder(requests, shardId, { table: 'aggregates', now });
  let rows = 0;
  let poison = 0;
  let records = 0;
  let peak = 0;
  let elapsed = 0n;
  let foldNs = 0n;
  let planNs = 0n;
  let cpuMicros = 0;
  const stageMicros = { fold: 0, plan: 0, params: 0 };
  const micros = (u: NodeJS.CpuUsage) => u.user + u.system;
  const batch: DynamoDBRecord[] = [];
  const run = () => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const result = foldBatch(rollups, batch, { folder, shardId });
    const coalescer = result.coalescer;
    poison += result.poison.length;
    const folded = process.hrtime.bigint();
    const cpuFolded = process.cpuUsage();
    const plan = planWrites(coalescer, { now });
    const planned = process.hrtime.bigint();
    const cpuPlanned = process.cpuUsage();
    for (const w of plan.rows) build(w);
    const end = process.hrtime.bigint();
    const cpuEnd = process.cpuUsage();
    stageMicros.fold += micros(cpuFolded) - micros(cpu);
    stageMicros.plan += micros(cpuPlanned) - micros(cpuFolded);
    stageMicros.params += micros(cpuEnd) - micros(cpuPlanned);
    elapsed += end - start;
    foldNs += folded - start;
    planNs += planned - folded;
    cpuMicros += micros(cpuEnd) - micros(cpu);
    rows += plan.rows.length;
    records += batch.length;
    if ((records / batchSize) % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    batch.length = 0;
  };
  for (const r of source) {
    batch.push(r);
    if (batch.length === batchSize) run();
  }
  if (batch.length > 0) run();
  const seconds = Number(elapsed) / 1e9;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return {
    records,
    batchSize,
    requests,
    seconds,
    recordsPerSecond: records / seconds,
    cpuSeconds: cpuMicros / 1e6,
    recordsPerCpuSecond: records / (cpuMicros / 1e6),
    rowsPlanned: rows,
    rowsPerRecord: rows / records,
    poison,
    peakHeapMiB: peak / 2 ** 20,
    nsPerRecord: {
      fold: Number(foldNs) / records,
      plan: Number(planNs) / records,
      params: Number(elapsed - foldNs - planNs) / records,
    },
    cpuNsPerRecord: {
      fold: (stageMicros.fold * 1000) / records,
      plan: (stageMicros.plan * 1000) / records,
      params: (stageMicros.params * 1000) / records,
    },
  };
}
