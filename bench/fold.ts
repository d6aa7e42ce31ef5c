// npm run bench:fold — the fold benchmark alone (issue: ≥ 1,000,000 records/s on one core).
import { runFoldBench } from './suites/fold.ts';

const records = Number(process.argv.find((a) => a.startsWith('--records='))?.slice(10) ?? 1_000_000);
const r = runFoldBench({ records });
console.log(`decode + fold + coalesce + plan: ${r.records.toLocaleString('en')} records in ${r.seconds.toFixed(2)} s`);
console.log(`  ${Math.round(r.recordsPerSecond).toLocaleString('en')} records/s (target ≥ 1,000,000 on one core)`);
console.log(`  ${r.rowsPlanned.toLocaleString('en')} row updates planned (${r.rowsPerRecord.toFixed(3)} per record, batches of ${r.batchSize})`);
console.log(`  peak heap ${r.peakHeapMiB.toFixed(0)} MiB (of which the pre-generated input records ${r.inputHeapMiB.toFixed(0)} MiB)`);
