// Two checkouts' fold (decode + fold + coalesce) in one process, batch by batch on the same records, the
// order alternating per batch: the machine's drift hits both alike, so a few per cent show. The heap (and so
// the garbage collector) is shared: a change that only allocates less shows better in separate processes
// (bench/fold-ab.ts).
//   node --import tsx bench/fold-interleaved.ts --base=/path/to/main/checkout --records=300000
import { pathToFileURL } from 'node:url';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const base = arg('base');
if (base === undefined) throw new Error('--base=<checkout of the tree to compare against> is required');
const records = Number(arg('records') ?? 300_000);
const after = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

type FoldBatch = (r: unknown[], b: unknown[], o: object) => { poison: unknown[] };
const side = async (tree: string) => {
  const load = (path: string) => import(pathToFileURL(`${tree}/${path}`).href);
  const { Folder, foldBatch } = await load('packages/dynotally/src/fold/index.ts');
  const { foldBenchRollups } = await load('bench/suites/fold-rollups.ts');
  const rollups = foldBenchRollups().map((r: { compiled: unknown }) => r.compiled);
  const folder = new Folder(rollups);
  const fold = foldBatch as FoldBatch;
  return {
    tree,
    cpu: 0,
    poison: 0,
    run: (batch: unknown[]) => fold(rollups, batch, { folder, shardId: 's' }),
  };
};
const sides = [await side(base), await side(after)];
const { workloadStreamRecords } = await import(pathToFileURL(`${after}/bench/workload/index.ts`).href);
const us = (u: NodeJS.CpuUsage) => u.user + u.system;
let batch: unknown[] = [];
let n = 0;
let done = 0;
const flush = () => {
  for (let k = 0; k < 2; k++) {
    const s = sides[(n + k) % 2] as (typeof sides)[number];
    const c0 = process.cpuUsage();
    s.poison += s.run(batch).poison.length;
    s.cpu += us(process.cpuUsage()) - us(c0);
  }
  n++;
  done += batch.length;
  batch = [];
};
for (const r of workloadStreamRecords({ seed: 20261025, events: records, stores: 1000 })) {
  batch.push(r);
  if (batch.length === 1000) flush();
}
if (batch.length > 0) flush();
const [b, a] = sides as [(typeof sides)[number], (typeof sides)[number]];
console.log(
  JSON.stringify({
    records: done,
    foldCpuNsPerRecord: { before: (b.cpu * 1000) / done, after: (a.cpu * 1000) / done },
    ratio: b.cpu / a.cpu,
    poison: { before: b.poison, after: a.poison },
  }),
);
