// npm run bench:fold-ab -- --base=<ref|dir> [--head=<ref|dir>] [--rounds=8] [--records=1000000] [--warmup=50]
//   [--block=50] [--requests=partiql|updateitem] [--isolation=worker|shared] [--check-every=1] [--per-batch]
//   [--json=PATH]
// The fold bench (decode + fold + coalesce, plan, requests; bench/suites/fold.ts's loop) of two trees of the
// library in ONE process, batch by batch on identical records, the order alternating every batch: the machine's
// load, clock and heat hit both sides alike, so a ratio of a few per cent shows on a loaded shared machine where
// separate processes (bench/fold-ab-processes.ts) spread 0.75–1.19 for the same code. Each side runs in a worker
// of its own (its own heap, collector and compiled code); each round starts both afresh, the first `--warmup`
// batches of a round are left out, and B/A (A's CPU ÷ B's on the same records: B's records per CPU second over
// A's) is the geometric mean of the rounds' ratios with a 5–95 % interval by Student's t over rounds. --head
// defaults to the working tree. Both sides must plan and build the same rows (a checksum), or the run is refused
// (exit code 1). Method and biases: docs/performance.md, "Measuring a fold change in one process".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadSide, type Side, type SideOptions, type SideSummary, SLOT, SLOTS } from './fold-ab/side.ts';
import { type Block, pooledRatio, quantile, roundsInterval } from './fold-ab/stats.ts';
import { prepareTree } from './fold-ab/trees.ts';
import { repoRoot } from './repo-root.ts';

const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const root = repoRoot();
const baseSpec = option('base');
if (baseSpec === undefined) throw new Error('--base=<git ref or directory> is required (try --base=main)');
const rounds = Number(option('rounds') ?? 8);
const records = Number(option('records') ?? 1_000_000);
const batchSize = Number(option('batch') ?? 1000);
const warmup = Number(option('warmup') ?? 50);
const blockSize = Number(option('block') ?? 50);
const checkEvery = Number(option('check-every') ?? 1);
const requests = (option('requests') ?? 'partiql') as SideOptions['requests'];
const isolation = option('isolation') ?? 'worker';
const perBatch = process.argv.includes('--per-batch');
if (!['partiql', 'updateitem'].includes(requests))
  throw new Error(`--requests=${requests}: partiql or updateitem`);
if (!['worker', 'shared'].includes(isolation)) throw new Error(`--isolation=${isolation}: worker or shared`);
const tmp = mkdtempSync(join(tmpdir(), 'fold-ab-'));
// The exported trees go when the process ends, a failed run included.
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const trees = { a: prepareTree(baseSpec, root, tmp), b: prepareTree(option('head') ?? root, root, tmp) };
const sideOptions = (tree: string): SideOptions => ({
  tree,
  workloadTree: root,
  records,
  batchSize,
  seed: 20261025,
  requests,
  checkEvery,
});

interface Running extends Side {
  finish(): Promise<SideSummary>;
}

/** A side in a worker of its own (own heap and JIT), driven batch by batch through shared memory. */
async function workerSide(tree: string): Promise<Running> {
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  const out = new Float64Array(new SharedArrayBuffer(SLOTS * 8));
  // A worker does not inherit the module hooks that load TypeScript: it registers tsx, then loads its entry.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./fold-ab/worker.ts', import.meta.url).href);
  const worker = new Worker(`import(${tsx}).then((t) => { t.register(); return import(${entry}); });`, {
    eval: true,
    workerData: { options: sideOptions(tree), ctl: ctl.buffer, out: out.buffer },
  });
  const message = () =>
    new Promise<{ ready?: true; summary?: SideSummary }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  await message();
  let n = 0;
  return {
    run(into, at) {
      n++;
      Atomics.store(ctl, 0, n);
      Atomics.notify(ctl, 0);
      for (let done = Atomics.load(ctl, 1); done !== n; done = Atomics.load(ctl, 1))
        Atomics.wait(ctl, 1, done);
      into.set(out, at);
      return out[SLOT.records] as number;
    },
    summary: () => {
      throw new Error('call finish()');
    },
    async finish() {
      const summary = message();
      Atomics.store(ctl, 0, -1);
      Atomics.notify(ctl, 0);
      const s = (await summary).summary as SideSummary;
      await worker.terminate();
      return s;
    },
  };
}

/** A side in this thread: both sides share the heap, its collector and the compiler's threads. */
async function sharedSide(tree: string): Promise<Running> {
  const side = await loadSide(sideOptions(tree));
  return { ...side, finish: async () => side.summary() };
}

interface Round {
  round: number;
  firstLoaded: 'a' | 'b';
  loadAverage: { start: number[]; end: number[] };
  batches: number;
  /** Per side, per batch, the SLOTS figures. */
  figures: { a: Float64Array; b: Float64Array };
  summary: { a: SideSummary; b: SideSummary };
}

async function runRound(round: number): Promise<Round> {
  const start = loadavg().slice(0, 3);
  const make = isolation === 'worker' ? workerSide : sharedSide;
  // Load (and so compile first) the two sides in turns over rounds.
  const firstLoaded = round % 2 === 0 ? 'a' : 'b';
  const sides: Partial<Record<'a' | 'b', Running>> = {};
  for (const k of firstLoaded === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const))
    sides[k] = await make(trees[k].dir);
  const a = sides.a as Running;
  const b = sides.b as Running;
  const max = Math.ceil(records / batchSize);
  const figures = { a: new Float64Array(max * SLOTS), b: new Float64Array(max * SLOTS) };
  let batches = 0;
  for (let i = 0; i < max; i++) {
    const at = i * SLOTS;
    const aFirst = (i + round) % 2 === 0;
    const first = aFirst ? a : b;
    const second = aFirst ? b : a;
    const n1 = first.run(aFirst ? figures.a : figures.b, at);
    const n2 = second.run(aFirst ? figures.b : figures.a, at);
    if (n1 !== n2) throw new Error(`batch ${i}: the sides read ${n1} and ${n2} records`);
    if (n1 === 0) break;
    batches++;
  }
  const summary = { a: await a.finish(), b: await b.finish() };
  return {
    round,
    firstLoaded,
    loadAverage: { start, end: loadavg().slice(0, 3) },
    batches,
    figures,
    summary,
  };
}

const stages = { fold: 'Fold', plan: 'Plan', params: 'Params' } as const;
type Clock = 'cpu' | 'thread' | 'wall';
// A batch's cost on one clock, in ns (process CPU is counted in µs).
const cost = (f: Float64Array, i: number, clock: Clock, stage?: keyof typeof stages): number => {
  const scale = clock === 'cpu' ? 1000 : 1;
  const of = (s: keyof typeof stages) => (f[i * SLOTS + SLOT[`${clock}${stages[s]}`]] as number) * scale;
  return stage === undefined ? of('fold') + of('plan') + of('params') : of(stage);
};

function blocksOf(r: Round, clock: Clock, stage?: keyof typeof stages): Block[] {
  const blocks: Block[] = [];
  for (let from = warmup; from + blockSize <= r.batches; from += blockSize) {
    let a = 0;
    let b = 0;
    for (let i = from; i < from + blockSize; i++) {
      a += cost(r.figures.a, i, clock, stage);
      b += cost(r.figures.b, i, clock, stage);
    }
    blocks.push({ a, b });
  }
  return blocks;
}

const measured: Round[] = [];
for (let r = 0; r < rounds; r++) {
  const round = await runRound(r);
  measured.push(round);
  const show = (clock: Clock) => {
    const blocks = blocksOf(round, clock);
    const ratios = blocks.map((x) => x.a / x.b);
    return `×${pooledRatio([blocks], 1).ratio.toFixed(4)} (blocks ${quantile(ratios, 0.05).toFixed(3)}–${quantile(ratios, 0.95).toFixed(3)})`;
  };
  console.log(
    `round ${r + 1}/${rounds} (load ${round.loadAverage.start[0]?.toFixed(1)}→${round.loadAverage.end[0]?.toFixed(1)}): B/A thread CPU ${show('thread')}, process CPU ${show('cpu')}`,
  );
}

const sums = measured.map((r) => r.summary);
const checksums = new Set(sums.flatMap((s) => [s.a.checksum, s.b.checksum]));
const rows = new Set(sums.flatMap((s) => [s.a.rows, s.b.rows]));
const same = checksums.size === 1 && rows.size === 1;
const measuredRecords = measured.reduce((t, r) => t + (r.batches - warmup) * batchSize, 0);
const perSide = (k: 'a' | 'b') => {
  const total = (clock: Clock, stage?: keyof typeof stages) =>
    measured.reduce((t, r) => t + blocksOf(r, clock, stage).reduce((u, x) => u + x[k], 0), 0);
  const counted = measured.reduce((t, r) => t + blocksOf(r, 'cpu').length * blockSize * batchSize, 0);
  return {
    recordsPerCpuSecond: counted / (total('cpu') / 1e9),
    cpuNsPerRecord: {
      fold: total('cpu', 'fold') / counted,
      plan: total('cpu', 'plan') / counted,
      params: total('cpu', 'params') / counted,
    },
    threadCpuNsPerRecord: total('thread') / counted,
    recordsPerThreadCpuSecond: counted / (total('thread') / 1e9),
    wallNsPerRecord: total('wall') / counted,
  };
};
const ratioOn = (clock: Clock, stage?: keyof typeof stages) => {
  const per = measured.map((r) => blocksOf(r, clock, stage));
  const all = per.flat().map((x) => x.a / x.b);
  const perRound = per.map((bs) => pooledRatio([bs], 1).ratio);
  return {
    ...pooledRatio(per),
    perRound,
    rounds: roundsInterval(perRound),
    blocks: { median: quantile(all, 0.5), p5: quantile(all, 0.05), p95: quantile(all, 0.95), n: all.length },
  };
};
// This thread's CPU where the system gives it (Linux): the helper threads' work (concurrent marking, parallel
// scavenges, optimising compiles) of the side that ran just before is not charged to the one running now.
const primary: Clock = measured.every((r) => Number.isFinite(r.figures.a[SLOT.threadFold] as number))
  ? 'thread'
  : 'cpu';
// The median of per-batch ratios with A first and with B first: how much going first or second moves a side.
const orderEffect = (clock: Clock) => {
  const first: number[] = [];
  const second: number[] = [];
  for (const r of measured)
    for (let i = warmup; i < r.batches; i++)
      ((i + r.round) % 2 === 0 ? first : second).push(
        cost(r.figures.a, i, clock) / cost(r.figures.b, i, clock),
      );
  return { aFirst: quantile(first, 0.5), bFirst: quantile(second, 0.5) };
};
const result = {
  what: 'bench:fold-ab: the fold bench (decode + fold + coalesce, plan, requests) of two trees in one process, batch by batch on identical records, order alternating per batch; ratio = B/A records per CPU second (A cost / B cost) after the warm-up: ratio.*.rounds is the geometric mean of the rounds with a 5-95 % interval by Student t over rounds (the figure a lever is judged by); ratio.*.ratio pools every round, with a bootstrap of rounds then blocks',
  run: { at: new Date().toISOString(), node: process.version, cpus: availableParallelism() },
  settings: { rounds, records, batchSize, warmup, blockSize, checkEvery, requests, isolation },
  trees: { a: trees.a, b: trees.b },
  sameOutputs: same,
  checksums: [...checksums],
  rowsPlanned: [...rows],
  poison: sums.map((s) => [s.a.poison, s.b.poison]),
  measuredRecordsPerSide: measuredRecords,
  a: perSide('a'),
  b: perSide('b'),
  primaryClock: primary,
  ratio: {
    primary: ratioOn(primary),
    cpu: ratioOn('cpu'),
    stages: {
      fold: ratioOn(primary, 'fold'),
      plan: ratioOn(primary, 'plan'),
      params: ratioOn(primary, 'params'),
    },
    threadCpu: ratioOn('thread'),
    wall: ratioOn('wall'),
    orderEffect: orderEffect(primary),
  },
  rounds: measured.map((r) => ({
    round: r.round,
    firstLoaded: r.firstLoaded,
    loadAverage: r.loadAverage,
    batches: r.batches,
    blockRatios: blocksOf(r, 'cpu').map((x) => Number((x.a / x.b).toFixed(4))),
    // With --per-batch: each batch's process CPU in µs, per side: [fold, plan, requests].
    ...(perBatch
      ? {
          cpuMicros: Object.fromEntries(
            (['a', 'b'] as const).map((k) => [
              k,
              Array.from({ length: r.batches }, (_, i) =>
                (['Fold', 'Plan', 'Params'] as const).map((s) => r.figures[k][i * SLOTS + SLOT[`cpu${s}`]]),
              ),
            ]),
          ),
        }
      : {}),
  })),
};
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const r = result.ratio.primary;
const clockName = primary === 'thread' ? 'thread CPU' : 'process CPU';
for (const k of ['a', 'b'] as const) {
  const x = result[k];
  console.log(
    `${k.toUpperCase()} ${trees[k].spec}: ${fmt(x.recordsPerCpuSecond)} records per CPU second, ${fmt(x.recordsPerThreadCpuSecond)} per thread CPU second (process CPU ns a record: fold ${fmt(x.cpuNsPerRecord.fold)}, plan ${fmt(x.cpuNsPerRecord.plan)}, requests ${fmt(x.cpuNsPerRecord.params)})`,
  );
}
const f4 = (x: number) => x.toFixed(4);
console.log(
  `B/A on ${clockName}: ×${f4(r.rounds.mean)} (5–95 % over ${rounds} rounds: ${f4(r.rounds.p5)}–${f4(r.rounds.p95)}; rounds ${r.perRound.map(f4).join(', ')})`,
);
console.log(
  `  pooled ×${f4(r.ratio)} (bootstrap ${f4(r.p5)}–${f4(r.p95)}); blocks of ${blockSize} batches: median ${f4(r.blocks.median)}, 5–95 % ${f4(r.blocks.p5)}–${f4(r.blocks.p95)}`,
);
for (const [k, x] of Object.entries(result.ratio.stages))
  console.log(`  ${k}: ×${f4(x.rounds.mean)} (${f4(x.rounds.p5)}–${f4(x.rounds.p95)})`);
const c = result.ratio.cpu;
console.log(
  `  process CPU ×${f4(c.rounds.mean)} (${f4(c.rounds.p5)}–${f4(c.rounds.p95)}), wall ×${f4(result.ratio.wall.rounds.mean)}; per-batch median A/B cost with A first ${f4(result.ratio.orderEffect.aFirst)}, B first ${f4(result.ratio.orderEffect.bFirst)}`,
);
const json = option('json');
if (json !== undefined) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
if (!same) {
  console.error(
    `REFUSED: the two trees planned different rows or requests (rows ${[...rows].join(' / ')}, checksums ${[...checksums].join(' / ')})`,
  );
  process.exitCode = 1;
}
