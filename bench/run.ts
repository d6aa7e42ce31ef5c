// npm run bench [-- --quick] [-- --only=fold,e2e,queries,footprint,buffered]
//               [-- --batch=1000,10000] [-- --contenders=eo-row,eo-row-ui,naive] [-- --events=1000]
//               (a subset of the e2e plan: those batch sizes and contenders, at most that many events;
//               --events also sets the buffered suite's events)
//
// Runs the benchmark suites of issue 6 in one process, against one DynamoDB Local it starts itself,
// prints a markdown table per suite (ratios against the baselines measured in this same run) and writes
// every figure, the machine, the versions and the seeds to bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig, startDynamoDbLocal } from '../packages/dynotally/src/local/index.ts';
import { repoRoot } from './repo-root.ts';
import { e2eMarkdown, e2eTargets } from './report/e2e-table.ts';
import { foldMarkdown } from './report/fold-table.ts';
import { footprintMarkdown } from './report/footprint-table.ts';
import { machineInfo, packageVersions } from './report/machine.ts';
import { e2ePlan, runE2eBench } from './suites/e2e.ts';
import { runFoldBench } from './suites/fold.ts';
import { FOOTPRINT_HANDLERS, runFootprintBench } from './suites/footprint.ts';
import { DEFAULT_SEED } from './workload/index.ts';

const SUITES = ['fold', 'e2e', 'queries', 'footprint', 'buffered'] as const;
type Suite = (typeof SUITES)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg === undefined ? [...SUITES] : onlyArg.split(',').map((s) => s.trim());
const unknown = only.filter((s) => !(SUITES as readonly string[]).includes(s));
if (unknown.length > 0) {
  console.error(`unknown suite(s) ${unknown.join(', ')}: use --only= with some of ${SUITES.join(', ')}`);
  process.exit(2);
}
const selected = (s: Suite): boolean => only.includes(s);
const listArg = (name: string): string[] | undefined =>
  args
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',')
    .map((s) => s.trim().replaceAll('_', ''));
const batchFilter = listArg('batch')?.map(Number);
const contenderFilter = listArg('contenders');
const eventsCap = listArg('events')?.map(Number)[0];
const started = Date.now();
const progress = (line: string): void => {
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
};

const results: Record<string, unknown> = {
  startedAt: new Date(started).toISOString(),
  mode: quick ? 'quick' : 'full',
  command: `npm run bench -- ${args.join(' ')}`.trim(),
  machine: machineInfo(),
  versions: packageVersions(),
  seeds: { workload: DEFAULT_SEED },
  suites: {} as Record<string, unknown>,
};
const suites = results.suites as Record<string, unknown>;
const sections: string[] = [];
const section = (title: string, body: string): void => {
  sections.push(`### ${title}\n\n${body}`);
  console.log(`\n### ${title}\n\n${body}\n`);
};
let failures = 0;
/** Runs one suite; a suite that throws is reported (and fails the run) without losing the others' figures. */
const attempt = async (name: Suite, run: () => Promise<void> | void): Promise<void> => {
  try {
    await run();
  } catch (error) {
    failures++;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress(`${name}: FAILED ${message}`);
    suites[name] = { failed: message };
    section(`${name}: FAILED`, `\`\`\`\n${message}\n\`\`\``);
  }
};

// Suite 1 first, in a clean heap. Run in-process under tsx: measured against an esbuild bundle run by plain
// node (no keepNames), records per CPU second were the same within noise (see README "Performance").
if (selected('fold'))
  await attempt('fold', () => {
    const records = quick ? 100_000 : 1_000_000;
    progress(`fold: ${records.toLocaleString('en')} records`);
    const fold = runFoldBench({ records });
    suites.fold = fold;
    section('1. Fold: decode + fold + coalesce + plan, one process', foldMarkdown(fold));
  });

const needsDynamo = (['e2e', 'queries', 'footprint', 'buffered'] as const).some(selected);
const local = needsDynamo ? await startDynamoDbLocal() : undefined;
try {
  if (local !== undefined && selected('e2e'))
    await attempt('e2e', async () => {
      const full = e2ePlan(quick ? 'quick' : 'full');
      const cap = (n: number): number => (eventsCap === undefined ? n : Math.min(n, eventsCap));
      const plan = {
        ...full,
        events: cap(full.events),
        warmupEvents: cap(full.warmupEvents),
        serverWarmupEvents: cap(full.serverWarmupEvents),
        cells: full.cells
          .filter(
            (c) =>
              (batchFilter === undefined || batchFilter.includes(c.batchSize)) &&
              (contenderFilter === undefined || contenderFilter.includes(c.contender)),
          )
          .map((c) => ({ ...c, events: cap(c.events) })),
      };
      progress(`e2e: ${plan.events.toLocaleString('en')} events, ${plan.cells.length} cells`);
      const e2e = await runE2eBench({
        endpoint: local.endpoint,
        serverPid: local.pid,
        ...plan,
        log: (l) => progress(`e2e: ${l}`),
      });
      suites.e2e = { ...e2e, targets: e2eTargets(e2e) };
      section('2. End to end on DynamoDB Local', e2eMarkdown(e2e));
    });

  if (local !== undefined && selected('queries'))
    await attempt('queries', async () => {
      progress('queries: rolling 24 h, 30 days by day, top 10 against one row per bucket');
      // Imported here (as buffered below), so a suite that does not load fails alone.
      const { runQueryBench } = await import('./suites/queries.ts');
      const client = new DynamoDBClient(localClientConfig(local.endpoint));
      try {
        const queries = await runQueryBench({
          client,
          ...(quick ? { s0EventsPerCustomer: 300, s4Events: 5_000, s4Stores: 100, repeats: 5 } : {}),
          progress: (l: string) => progress(l),
        });
        suites.queries = queries;
        section('3. Queries (dynotally ÷ one row per bucket)', queries.markdown);
      } finally {
        client.destroy();
      }
    });

  if (local !== undefined && selected('footprint'))
    await attempt('footprint', async () => {
      progress('footprint: bundling handlers, cold imports, peak RSS on a 1,000-record batch');
      const footprint = await runFootprintBench({
        endpoint: local.endpoint,
        importRuns: quick ? 3 : 9,
        rssHandlers: quick ? ['dynotally'] : FOOTPRINT_HANDLERS,
      });
      suites.footprint = footprint;
      section('4. Lambda footprint (esbuild, minified, ESM, node20)', footprintMarkdown(footprint));
    });

  if (local !== undefined && selected('buffered'))
    await attempt('buffered', async () => {
      progress('buffered: Redis write buffer beside direct exactly-once');
      const { runBufferedBench } = await import('./suites/buffered.ts');
      const { bufferedMarkdown } = await import('./report/buffered-table.ts');
      const buffered = await runBufferedBench({
        endpoint: local.endpoint,
        ...(quick ? { events: 2_000 } : {}),
        ...(eventsCap === undefined ? {} : { events: eventsCap }),
        // BENCH_PRICING=off: no image streams (DynamoDB Local writes stream records slowly), units as reported
        pricing: process.env.BENCH_PRICING === 'off' ? 'reported' : 'images',
        log: (l) => progress(`buffered: ${l}`),
      });
      suites.buffered = buffered;
      section('5. Buffered mode (Redis) beside direct', bufferedMarkdown(buffered));
    });
} finally {
  await local?.stop();
}

results.durationSeconds = Math.round((Date.now() - started) / 1000);
results.loadAverageAtEnd = machineInfo().loadAverage;
results.markdown = sections.join('\n\n');
const resultsDir = join(repoRoot(), 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(join(resultsDir, 'latest.json'), json);
// A dated copy, so a quick run does not overwrite the last full run's figures.
const dated = `${results.mode}-${(results.startedAt as string).replaceAll(':', '-').slice(0, 19)}.json`;
writeFileSync(join(resultsDir, dated), json);
progress(`done in ${results.durationSeconds} s; figures in bench/results/latest.json and ${dated}`);
if (failures > 0) process.exitCode = 1;
