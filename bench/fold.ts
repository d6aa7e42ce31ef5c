// npm run bench:fold — the fold benchmark alone (target: ≥ 1,000,000 records/s on one core).
import { runFoldBench } from './suites/fold.ts';

const arg = process.argv.find((a) => a.startsWith('--records='));
const records = Number(arg?.slice('--records='.length) ?? 1_000_000);
const r = runFoldBench({ records });
const fmt = (n: number) => Math.round(n).toLocaleString('en');
console.log(
  `decode + fold + coalesce + plan: ${fmt(r.records)} records, ${r.seconds.toFixed(2)} s in the fold`,
);
console.log(`  ${fmt(r.recordsPerSecond)} records/s (target ≥ 1,000,000 on one core)`);
console.log(`  ${fmt(r.recordsPerCpuSecond)} records per CPU second (${r.cpuSeconds.toFixed(2)} s of CPU)`);
console.log(
  `  ${fmt(r.rowsPlanned)} row updates planned (${r.rowsPerRecord.toFixed(3)} per record, batches of ${r.batchSize})`,
);
if (r.poison > 0)
  console.log(`  ${fmt(r.poison)} records could NOT be folded (poison): the figures are not valid`);
console.log(`  peak heap ${r.peakHeapMiB.toFixed(0)} MiB`);
const ns = r.nsPerRecord;
console.log(
  `  ns per record (wall): decode + fold + coalesce ${fmt(ns.fold)}, plan ${fmt(ns.plan)}, UpdateItem inputs ${fmt(ns.params)}`,
);
