// Suite 1: decode + fold + coalesce + plan (including building every UpdateItem input) over N records.
import type { DynamoDBRecord } from 'aws-lambda';
import { Folder, foldBatch } from '../../src/fold/index.ts';
import { planWrites, rowUpdateParams } from '../../src/plan/index.ts';
import { workloadStreamRecords } from '../workload/index.ts';
import { foldBenchRollups } from './fold-rollups.ts';

export interface FoldBenchResult {
  records: number;
  batchSize: number;
  seconds: number;
  recordsPerSecond: number;
  rowsPlanned: number;
  rowsPerRecord: number;
  peakHeapMiB: number;
  inputHeapMiB: number;
}

export function runFoldBench(options: { records: number; batchSize?: number; seed?: number }): FoldBenchResult {
  const batchSize = options.batchSize ?? 1000;
  const rollups = foldBenchRollups().map((r) => r.compiled);
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const records: DynamoDBRecord[] = [...workloadStreamRecords({ seed: options.seed ?? 20261025, events: options.records, stores: 1000 })];
  globalThis.gc?.();
  const inputHeap = process.memoryUsage().heapUsed - before;
  const folder = new Folder(rollups);
  let rows = 0;
  let peak = 0;
  const now = Date.UTC(2026, 9, 24);
  const start = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += batchSize) {
    const batch = records.slice(i, i + batchSize);
    const { coalescer } = foldBatch(rollups, batch, { folder, shardId: 'shardId-1' });
    const plan = planWrites(coalescer, { now });
    for (const w of plan.rows) rowUpdateParams('aggregates', w, { now });
    rows += plan.rows.length;
    if ((i / batchSize) % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return {
    records: records.length,
    batchSize,
    seconds,
    recordsPerSecond: records.length / seconds,
    rowsPlanned: rows,
    rowsPerRecord: rows / records.length,
    peakHeapMiB: (peak - before) / 2 ** 20,
    inputHeapMiB: inputHeap / 2 ** 20,
  };
}
