// CPU per stage of the fold benchmark, for one source tree (default: this one), printed as one JSON line.
//   node --import tsx bench/fold-stages.ts --records=1000000 [--tree=/path/to/other/checkout]
// The loop is the one of bench/suites/fold.ts (same workload, rollups, batches and stages); each stage is
// timed by process.cpuUsage (CPU, not wall: the machine is shared). `--tree` loads that checkout's library,
// workload and rollups, so two trees are compared by the same harness.
import { pathToFileURL } from 'node:url';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const records = Number(arg('records') ?? 1_000_000);
const tree = arg('tree') ?? new URL('..', import.meta.url).pathname;
const load = (path: string) => import(pathToFileURL(`${tree}/${path}`).href);

const { Folder, foldBatch } = await load('packages/dynotally/src/fold/index.ts');
const { planWrites, rowUpdateParams } = await load('packages/dynotally/src/plan/index.ts');
const { workloadStreamRecords } = await load('bench/workload/index.ts');
const { foldBenchRollups } = await load('bench/suites/fold-rollups.ts');

const batchSize = 1000;
const rollups = foldBenchRollups().map((r: { compiled: unknown }) => r.compiled);
const folder = new Folder(rollups);
const now = Date.UTC(2026, 9, 24);
const cpu = { fold: 0, plan: 0, params: 0 };
let done = 0;
let rows = 0;
let poison = 0;
const us = (u: NodeJS.CpuUsage) => u.user + u.system;
const batch: unknown[] = [];
const run = () => {
  const c0 = process.cpuUsage();
  const result = foldBatch(rollups, batch, { folder, shardId: 'shardId-1' });
  const c1 = process.cpuUsage();
  const plan = planWrites(result.coalescer, { now });
  const c2 = process.cpuUsage();
  for (const w of plan.rows) rowUpdateParams('aggregates', w, { now });
  const c3 = process.cpuUsage();
  cpu.fold += us(c1) - us(c0);
  cpu.plan += us(c2) - us(c1);
  cpu.params += us(c3) - us(c2);
  poison += result.poison.length;
  rows += plan.rows.length;
  done += batch.length;
  batch.length = 0;
};
for (const r of workloadStreamRecords({ seed: 20261025, events: records, stores: 1000 })) {
  batch.push(r);
  if (batch.length === batchSize) run();
}
if (batch.length > 0) run();
const total = cpu.fold + cpu.plan + cpu.params;
console.log(
  JSON.stringify({
    tree,
    records: done,
    rowsPlanned: rows,
    poison,
    cpuSeconds: total / 1e6,
    recordsPerCpuSecond: done / (total / 1e6),
    cpuNsPerRecord: {
      fold: (cpu.fold * 1000) / done,
      plan: (cpu.plan * 1000) / done,
      params: (cpu.params * 1000) / done,
    },
  }),
);
