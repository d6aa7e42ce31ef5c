// Alternating before/after runs of bench/fold-stages.ts (one process per run, CPU time per stage), for a
// shared machine whose speed drifts: each pair runs both trees back to back, the order alternating.
//   node --import tsx bench/fold-ab.ts --base=/path/to/main/checkout --pairs=6 --records=1000000 --out=x.json
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const base = arg('base');
if (base === undefined) throw new Error('--base=<checkout of the tree to compare against> is required');
const pairs = Number(arg('pairs') ?? 6);
const records = Number(arg('records') ?? 1_000_000);
const after = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const stages = new URL('fold-stages.ts', import.meta.url).pathname;

interface Run {
  tree: string;
  recordsPerCpuSecond: number;
  cpuNsPerRecord: { fold: number; plan: number; params: number };
  rowsPlanned: number;
  poison: number;
  load1: number;
}
const runOnce = (tree: string): Run => {
  const load1 = loadavg()[0] as number;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', stages, `--records=${records}`, `--tree=${tree}`],
    {
      encoding: 'utf8',
    },
  );
  return { ...(JSON.parse(out.trim().split('\n').pop() as string) as Run), load1 };
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const results: { before: Run; after: Run; ratio: number }[] = [];
for (let p = 0; p < pairs; p++) {
  const first = p % 2 === 0 ? base : after;
  const a = runOnce(first);
  const b = runOnce(first === base ? after : base);
  const [before, now] = first === base ? [a, b] : [b, a];
  const ratio = now.recordsPerCpuSecond / before.recordsPerCpuSecond;
  results.push({ before, after: now, ratio });
  console.log(
    `pair ${p + 1}: before ${Math.round(before.recordsPerCpuSecond)} after ${Math.round(now.recordsPerCpuSecond)} ×${ratio.toFixed(3)} (fold ns ${Math.round(before.cpuNsPerRecord.fold)} → ${Math.round(now.cpuNsPerRecord.fold)})`,
  );
}
const stage = (side: 'before' | 'after', k: 'fold' | 'plan' | 'params') =>
  median(results.map((r) => r[side].cpuNsPerRecord[k]));
const summary = {
  records,
  pairs,
  base,
  after,
  medianRatio: median(results.map((r) => r.ratio)),
  medianRecordsPerCpuSecond: {
    before: median(results.map((r) => r.before.recordsPerCpuSecond)),
    after: median(results.map((r) => r.after.recordsPerCpuSecond)),
  },
  medianCpuNsPerRecord: {
    before: {
      fold: stage('before', 'fold'),
      plan: stage('before', 'plan'),
      params: stage('before', 'params'),
    },
    after: { fold: stage('after', 'fold'), plan: stage('after', 'plan'), params: stage('after', 'params') },
  },
  results,
};
console.log(JSON.stringify({ ...summary, results: undefined }, null, 1));
const out = arg('out');
if (out !== undefined) writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
