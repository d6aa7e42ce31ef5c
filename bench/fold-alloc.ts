// Where the fold benchmark allocates: an inspector sampling heap profile (objects later collected by minor
// and major GC included) over the fold benchmark's loop, after a warm-up, printed as one JSON line.
//   node --import tsx bench/fold-alloc.ts --records=200000 --warmup=50000 [--tree=/path/to/checkout]
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const records = Number(arg('records') ?? 200_000);
const warmup = Number(arg('warmup') ?? 50_000);
const tree = arg('tree') ?? new URL('..', import.meta.url).pathname;
const load = (path: string) => import(pathToFileURL(`${tree}/${path}`).href);

const { Folder, foldBatch } = await load('packages/dynotally/src/fold/index.ts');
const { planWrites, rowUpdateParams } = await load('packages/dynotally/src/plan/index.ts');
const { workloadStreamRecords } = await load('bench/workload/index.ts');
const { foldBenchRollups } = await load('bench/suites/fold-rollups.ts');

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const rollups = foldBenchRollups().map((r: { compiled: unknown }) => r.compiled);
const folder = new Folder(rollups);
const now = Date.UTC(2026, 9, 24);
const batch: unknown[] = [];
const run = () => {
  const result = foldBatch(rollups, batch, { folder, shardId: 'shardId-1' });
  const plan = planWrites(result.coalescer, { now });
  for (const w of plan.rows) rowUpdateParams('aggregates', w, { now });
  batch.length = 0;
};
const session = new Session();
session.connect();
let seen = 0;
let sampling = false;
for (const r of workloadStreamRecords({ seed: 20261025, events: warmup + records, stores: 1000 })) {
  batch.push(r);
  if (++seen === warmup + 1 && !sampling) {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    });
    sampling = true;
  }
  if (batch.length === 1000) run();
}
if (batch.length > 0) run();
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
session.disconnect();

const bySelf = new Map<string, number>();
let total = 0;
const walk = (n: ProfileNode) => {
  if (n.selfSize > 0) {
    const file = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    bySelf.set(key, (bySelf.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c);
};
walk(profile.head);
const top = [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 25);
console.log(
  JSON.stringify({
    tree,
    records,
    warmup,
    bytesPerRecord: total / records,
    top: top.map(([site, bytes]) => ({ site, bytesPerRecord: bytes / records, share: bytes / total })),
  }),
);
