// tsx bench/fold-ab-processes.ts --base=DIR --head=DIR [--pairs=6] [--records=1000000] [--requests=partiql,updateitem] --out=PATH
// Alternating before/after runs of `bench/fold.ts` in two trees (each run a fresh process, base then head, seconds
// apart), for a shared machine whose load drifts: the figure is the median over pairs of head/base records per CPU
// second. Each tree runs its own bench/fold.ts, so both must accept --requests and --json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const base = option('base');
const head = option('head');
const out = option('out');
if (base === undefined || head === undefined || out === undefined)
  throw new Error('usage: --base=DIR --head=DIR --out=PATH [--pairs=6] [--records=N] [--requests=a,b]');
const pairs = Number(option('pairs') ?? 6);
const records = Number(option('records') ?? 1_000_000);
const kinds = (option('requests') ?? 'partiql,updateitem').split(',');
const tmp = mkdtempSync(join(tmpdir(), 'fold-ab-processes-'));

interface Run {
  side: 'base' | 'head';
  requests: string;
  pair: number;
  recordsPerCpuSecond: number;
  cpuSeconds: number;
  nsPerRecord: { fold: number; plan: number; params: number };
  cpuNsPerRecord: { fold: number; plan: number; params: number };
  [k: string]: unknown;
}

function runOne(side: 'base' | 'head', dir: string, requests: string, pair: number): Run {
  const file = join(tmp, `${side}-${requests}-${pair}.json`);
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/fold.ts', `--records=${records}`, `--requests=${requests}`, `--json=${file}`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const r = JSON.parse(readFileSync(file, 'utf8')) as Run;
  return { ...r, side, requests, pair };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const runs: Run[] = [];
for (let p = 0; p < pairs; p++)
  for (const requests of kinds) {
    const b = runOne('base', base, requests, p);
    const h = runOne('head', head, requests, p);
    runs.push(b, h);
    console.log(
      `${requests} pair ${p}: base ${Math.round(b.recordsPerCpuSecond)} head ${Math.round(h.recordsPerCpuSecond)} ×${(h.recordsPerCpuSecond / b.recordsPerCpuSecond).toFixed(3)}`,
    );
  }

const summary: Record<string, unknown> = {};
for (const requests of kinds) {
  const of = (side: string) => runs.filter((r) => r.requests === requests && r.side === side);
  const b = of('base');
  const h = of('head');
  type Stages = { fold: number; plan: number; params: number };
  const stages = (rs: Run[], of: (r: Run) => Stages): Stages => ({
    fold: median(rs.map((r) => of(r).fold)),
    plan: median(rs.map((r) => of(r).plan)),
    params: median(rs.map((r) => of(r).params)),
  });
  summary[requests] = {
    medianPairRatio: median(h.map((r, i) => r.recordsPerCpuSecond / (b[i] as Run).recordsPerCpuSecond)),
    pairRatios: h.map((r, i) => r.recordsPerCpuSecond / (b[i] as Run).recordsPerCpuSecond),
    baseMedianRecordsPerCpuSecond: median(b.map((r) => r.recordsPerCpuSecond)),
    headMedianRecordsPerCpuSecond: median(h.map((r) => r.recordsPerCpuSecond)),
    baseMedianCpuNsPerRecord: stages(b, (r) => r.cpuNsPerRecord),
    headMedianCpuNsPerRecord: stages(h, (r) => r.cpuNsPerRecord),
    baseMedianNsPerRecordWall: stages(b, (r) => r.nsPerRecord),
    headMedianNsPerRecordWall: stages(h, (r) => r.nsPerRecord),
  };
}
writeFileSync(out, `${JSON.stringify({ records, pairs, base, head, summary, runs }, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
