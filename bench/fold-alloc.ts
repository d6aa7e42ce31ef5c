// tsx bench/fold-alloc.ts [--tree=DIR] [--requests=partiql|updateitem]
// Bytes allocated per record by the fold bench's pipeline (workload generator included, as its garbage is collected
// inside the timed stages): V8's sampling heap profiler, objects collected by minor and major GCs included, over
// 200,000 records after a 50,000-record warm-up. Prints one JSON line: the total and the 14 largest functions.
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';

const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const tree = resolve(option('tree') ?? '.');
const requests = option('requests') ?? 'partiql';
const { Folder, foldBatch } = await import(`${tree}/packages/dynotally/src/fold/index.ts`);
const { planWrites } = await import(`${tree}/packages/dynotally/src/plan/index.ts`);
const { workloadStreamRecords } = await import(`${tree}/bench/workload/index.ts`);
const { foldBenchRollups } = await import(`${tree}/bench/suites/fold-rollups.ts`);
const { requestBuilder } = await import(`${tree}/bench/suites/fold-requests.ts`);

const WARM = 50_000;
const MEASURED = 200_000;
const rollups = foldBenchRollups().map((r: { compiled: unknown }) => r.compiled);
const folder = new Folder(rollups);
const now = Date.UTC(2026, 9, 24);
const build = requestBuilder(requests, 'shardId-1', { table: 'aggregates', now });
const session = new Session();
session.connect();
let batch: unknown[] = [];
let n = 0;
for (const r of workloadStreamRecords({ seed: 20261025, events: WARM + MEASURED, stores: 1000 })) {
  batch.push(r);
  if (batch.length < 1000) continue;
  const coalescer = foldBatch(rollups, batch, { folder, shardId: 'shardId-1' }).coalescer;
  for (const w of planWrites(coalescer, { now }).rows) build(w);
  n += batch.length;
  batch = [];
  if (n === WARM)
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    } as never);
}

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
const by = new Map<string, number>();
let total = 0;
const walk = (x: ProfileNode) => {
  const k = `${x.callFrame.functionName || '(anon)'} ${x.callFrame.url.split('/').slice(-2).join('/')}`;
  by.set(k, (by.get(k) ?? 0) + x.selfSize);
  total += x.selfSize;
  for (const c of x.children) walk(c);
};
walk(profile.head);
const per = (b: number) => Math.round(b / MEASURED);
const top = Object.fromEntries(
  [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 14)
    .map(([k, v]) => [k, per(v)]),
);
console.log(JSON.stringify({ tree, requests, bytesPerRecord: per(total), topBytesPerRecord: top }));
