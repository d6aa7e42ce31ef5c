// npm run bench:fold [-- --records=N] [-- --requests=partiql|updateitem] [-- --json=PATH]
// The fold benchmark alone (target: ≥ 500,000 records per CPU second, issue 13 item 4).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runFoldBench } from './suites/fold.ts';
import { FOLD_BENCH_REQUESTS, type FoldBenchRequests } from './suites/fold-requests.ts';

const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const records = Number(option('records') ?? 1_000_000);
const requests = (option('requests') ?? 'partiql') as FoldBenchRequests;
if (!FOLD_BENCH_REQUESTS.includes(requests))
  throw new Error(`--requests=${requests}: expected one of ${FOLD_BENCH_REQUESTS.join(', ')}`);
const r = runFoldBench({ records, requests });
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const built = requests === 'partiql' ? 'PartiQL INSERT statements (with watermark)' : 'UpdateItem inputs';
console.log(
  `decode + fold + coalesce + plan: ${fmt(r.records)} records, ${r.seconds.toFixed(2)} s in the fold`,
);
console.log(`  ${fmt(r.recordsPerSecond)} records/s (wall)`);
console.log(
  `  ${fmt(r.recordsPerCpuSecond)} records per CPU second (${r.cpuSeconds.toFixed(2)} s of CPU; target ≥ 500,000)`,
);
console.log(
  `  ${fmt(r.rowsPlanned)} row updates planned (${r.rowsPerRecord.toFixed(3)} per record, batches of ${r.batchSize}), each built as ${built}`,
);
if (r.poison > 0)
  console.log(`  ${fmt(r.poison)} records could NOT be folded (poison): the figures are not valid`);
console.log(`  peak heap ${r.peakHeapMiB.toFixed(0)} MiB`);
for (const [what, ns] of [
  ['wall', r.nsPerRecord],
  ['CPU', r.cpuNsPerRecord],
] as const)
  console.log(
    `  ns per record (${what}): decode + fold + coalesce ${fmt(ns.fold)}, plan ${fmt(ns.plan)}, requests (${requests}) ${fmt(ns.params)}`,
  );
const json = option('json');
if (json !== undefined) {
  const run = { at: new Date().toISOString(), node: process.version, loadAverage: loadavg().slice(0, 2) };
  writeFileSync(json, `${JSON.stringify({ run, ...r }, null, 2)}\n`);
}
