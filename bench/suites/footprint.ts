// Suite 4: the Lambda footprint. Each handler (dynotally's, and the two baselines as their teams would
// deploy them) is bundled with esbuild as for Lambda (minified, ESM, node20); then, in fresh `node`
// processes: how long importing the bundle takes (a cold start's init, without the runtime's own), and the
// peak RSS while handling one 1,000-record batch against DynamoDB Local.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { LOCAL_REGION, localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { repoRoot } from '../repo-root.ts';
import { workloadStreamRecords } from '../workload/index.ts';
import { percentile } from './freshness.ts';

const HANDLERS_DIR = join(repoRoot(), 'bench', 'handlers');

/** The handlers measured: dynotally's and the baselines'. */
export const FOOTPRINT_HANDLERS = ['dynotally', 'naive', 'powertools'] as const;
export type FootprintHandler = (typeof FOOTPRINT_HANDLERS)[number];

/** Options for {@link runFootprintBench}. */
export interface FootprintOptions {
  handlers?: readonly FootprintHandler[];
  /** Fresh processes that import each bundle; the median is reported. Default 9; 0 skips. */
  importRuns?: number;
  /** DynamoDB Local endpoint for the peak-RSS run; without one that run is skipped. */
  endpoint?: string;
  /** Handlers whose peak RSS is measured (default: all measured). */
  rssHandlers?: readonly FootprintHandler[];
  /** Records in the batch of the peak-RSS run; default 1,000. */
  batchRecords?: number;
  seed?: number;
}

/** The figures of one handler. */
export interface FootprintResult {
  handler: FootprintHandler;
  bundleBytes: number;
  bundleGzipBytes: number;
  /** The same handler with the AWS SDK left out (the Lambda Node.js runtime provides one). */
  bundleWithoutSdkBytes: number;
  /** Median time to `import()` the bundle in a fresh process, ms. */
  coldImportMs?: number;
  coldImportRuns?: number;
  /**
   * Peak resident set size of a fresh process that imported the bundle and handled one batch, MiB (Linux
   * `VmHWM`; `process.resourceUsage().maxRSS` elsewhere, which on Linux would carry over the parent's peak).
   */
  peakRssMiB?: number;
  /** Peak RSS right after the import, before handling, MiB. */
  rssAfterImportMiB?: number;
  /** Wall time of that first invocation (including its connection set-up), ms. */
  handleMs?: number;
  batchRecords?: number;
  /** Set when the batch run failed or reported failures. */
  error?: string;
}

/**
 * Bundles a handler as for Lambda: esbuild, minified, platform node, ESM, target node20 (a
 * `createRequire` banner lets bundled CommonJS modules require Node built-ins).
 *
 * @example
 * ```ts
 * const bytes = await bundleHandler('dynotally', '/tmp/dynotally.mjs');
 * ```
 */
export async function bundleHandler(
  handler: FootprintHandler,
  outfile: string,
  options: { withoutSdk?: boolean } = {},
): Promise<number> {
  const result = await build({
    entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    external: options.withoutSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}

/**
 * Runs the footprint suite.
 *
 * @example
 * ```ts
 * const results = await runFootprintBench({ endpoint, importRuns: 5 });
 * ```
 */
export async function runFootprintBench(options: FootprintOptions = {}): Promise<FootprintResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dynotally-footprint-'));
  await writeFile(join(dir, 'probe.mjs'), PROBE);
  try {
    const out: FootprintResult[] = [];
    for (const handler of options.handlers ?? FOOTPRINT_HANDLERS) {
      const file = join(dir, `${handler}.mjs`);
      const bundleBytes = await bundleHandler(handler, file);
      const bundleWithoutSdkBytes = await bundleHandler(handler, join(dir, `${handler}-no-sdk.mjs`), {
        withoutSdk: true,
      });
      const result: FootprintResult = {
        handler,
        bundleBytes,
        bundleGzipBytes: gzipSync(await readFile(file)).length,
        bundleWithoutSdkBytes,
      };
      const runs = options.importRuns ?? 9;
      if (runs > 0) {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push((await probe(dir, file, undefined, {})).importMs);
        result.coldImportMs = percentile(times, 0.5);
        result.coldImportRuns = runs;
      }
      if (options.endpoint !== undefined && (options.rssHandlers ?? FOOTPRINT_HANDLERS).includes(handler)) {
        Object.assign(
          result,
          await measureRss(dir, file, handler, options.endpoint, options.batchRecords ?? 1_000, options.seed),
        );
      }
      out.push(result);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureRss(
  dir: string,
  file: string,
  handler: FootprintHandler,
  endpoint: string,
  batchRecords: number,
  seed: number | undefined,
): Promise<Partial<FootprintResult>> {
  const table = `bench-footprint-${handler}-${Date.now().toString(36)}`;
  if (handler === 'dynotally') {
    const client = new DynamoDBClient(localClientConfig(endpoint));
    await createAggregateTable(client, table);
    client.destroy();
  }
  // Written "now" as Lambda would be given them (the events keep their own times in `ts`): the workload's stream
  // times are weeks old, and the handler dead-letters a record older than 24 h 30 min by default.
  const nowSeconds = Math.floor(Date.now() / 1000);
  const records = Array.from(
    workloadStreamRecords({ seed: seed ?? 20261025, events: batchRecords }),
    (r) => ({
      ...r,
      dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: nowSeconds },
    }),
  );
  const eventFile = join(dir, `${handler}-event.json`);
  await writeFile(
    eventFile,
    JSON.stringify({ Records: records, shardId: 'shardId-00000001761343200000-00000001' }),
  );
  const env = {
    AGGREGATE_TABLE: table,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  try {
    const r = await probe(dir, file, eventFile, env);
    const failed = r.failures !== 0 ? `${r.failures} batch item failure(s)` : undefined;
    return {
      peakRssMiB: r.maxRssKiB / 1024,
      rssAfterImportMiB: r.rssAfterImportKiB / 1024,
      handleMs: r.handleMs,
      batchRecords,
      ...(failed ? { error: failed } : {}),
    };
  } catch (error) {
    return { batchRecords, error: error instanceof Error ? error.message : String(error) };
  }
}

interface ProbeOutput {
  importMs: number;
  handleMs: number;
  maxRssKiB: number;
  rssAfterImportKiB: number;
  failures: number;
}

// Runs in a fresh `node`: import the bundle (timed), then optionally handle the event file once.
const PROBE = `
import { readFileSync } from 'node:fs';
// Peak RSS of this process image. On Linux, VmHWM: getrusage's maxRSS survives execve, so a child spawned
// by a big parent would report the parent's peak; VmHWM belongs to the new address space.
const peakKiB = () => {
  try {
    const m = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\\s+(\\d+) kB/m);
    if (m) return Number(m[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
};
const [bundle, eventFile] = process.argv.slice(2);
const event = eventFile ? JSON.parse(readFileSync(eventFile, 'utf8')) : undefined;
const t0 = performance.now();
const mod = await import(bundle);
const importMs = performance.now() - t0;
const rssAfterImportKiB = peakKiB();
let handleMs = 0, failures = 0;
if (event) {
  const t1 = performance.now();
  const res = await mod.handler(event, {});
  handleMs = performance.now() - t1;
  failures = res?.batchItemFailures?.length ?? 0;
}
console.log('FOOTPRINT ' + JSON.stringify({ importMs, handleMs, maxRssKiB: peakKiB(), rssAfterImportKiB, failures }));
process.exit(0);
`;

async function probe(
  dir: string,
  bundle: string,
  eventFile: string | undefined,
  env: Record<string, string>,
): Promise<ProbeOutput> {
  const script = join(dir, 'probe.mjs');
  const args = [script, pathToFileURL(bundle).href, ...(eventFile ? [eventFile] : [])];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, ['--no-warnings', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.once('error', reject);
      child.once('close', (c) => resolve({ code: c, stdout, stderr }));
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('FOOTPRINT '));
  if (code !== 0 || line === undefined)
    throw new Error(`footprint probe exited with ${code}: ${(stderr || stdout).trim().slice(-800)}`);
  return JSON.parse(line.slice('FOOTPRINT '.length)) as ProbeOutput;
}
