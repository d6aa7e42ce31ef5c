// tsx bench/rows-fit-cost.ts [--batches=200] [--json=PATH]
// CPU of the applier's width check (`rowsFitOneWrite`: does every folded row fit one DynamoDB write?) against the
// fold of the same batch, on the fold bench's workload and rollups (batches of 1,000 records). The check runs 20
// times per batch and is averaged, so its few tens of µs are above the clock's resolution. Prints one JSON line.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { DynamoDBRecord } from 'aws-lambda';
import { rowsFitOneWrite } from '../packages/dynotally/src/apply/rows-fit.ts';
import { Folder, foldBatch } from '../packages/dynotally/src/fold/index.ts';
import { foldBenchRollups } from './suites/fold-rollups.ts';
import { workloadStreamRecords } from './workload/index.ts';

const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const batches = Number(option('batches') ?? 200);
const REPEAT = 20;
const rollups = foldBenchRollups().map((r) => r.compiled);
const folder = new Folder(rollups);
const micros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
let foldUs = 0;
let checkUs = 0;
let rows = 0;
let done = 0;
let fits = true;
const batch: DynamoDBRecord[] = [];
for (const r of workloadStreamRecords({ seed: 20261025, events: batches * 1000, stores: 1000 })) {
  batch.push(r);
  if (batch.length < 1000) continue;
  const a = micros();
  const { coalescer } = foldBatch(rollups, batch, { folder, shardId: 'shardId-1' });
  const b = micros();
  for (let k = 0; k < REPEAT; k++) fits = rowsFitOneWrite(coalescer) && fits;
  const c = micros();
  foldUs += b - a;
  checkUs += (c - b) / REPEAT;
  rows += coalescer.size;
  done++;
  batch.length = 0;
}
const result = {
  run: { at: new Date().toISOString(), node: process.version, loadAverage: loadavg().slice(0, 2) },
  batches: done,
  recordsPerBatch: 1000,
  rowsPerBatch: rows / done,
  everyRowFits: fits,
  foldMicrosPerBatch: foldUs / done,
  checkMicrosPerBatch: checkUs / done,
  checkShareOfFold: checkUs / foldUs,
};
console.log(JSON.stringify(result));
const json = option('json');
if (json !== undefined) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
