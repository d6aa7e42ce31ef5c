// One side of the in-process fold A/B (bench/fold-ab.ts): one tree's fold, plan and requests, fed batch by batch
// from its own copy of the seeded workload, timed per stage exactly as bench/suites/fold.ts times them.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';

/** What a side needs: its tree, the harness's tree (for the shared workload) and the bench's settings. */
export interface SideOptions {
  /** The checkout whose library (fold, plan, requests, rollups) this side runs. */
  tree: string;
  /** The checkout whose `bench/workload` generates the records (the same for both sides). */
  workloadTree: string;
  records: number;
  batchSize: number;
  seed: number;
  requests: 'partiql' | 'updateitem';
  /** Hash every `checkEvery`-th batch's planned rows and requests (1: every batch). */
  checkEvery: number;
}

/** The figures of one batch, in the slots of a `Float64Array` (so a worker can hand them over shared). */
export const SLOT = {
  records: 0,
  rows: 1,
  /** Process CPU (user + system, `process.cpuUsage`) in µs: decode + fold + coalesce, plan, requests. */
  cpuFold: 2,
  cpuPlan: 3,
  cpuParams: 4,
  /** This thread's CPU (`/proc/thread-self/schedstat`) in ns, the same stages; NaN where unavailable. */
  threadFold: 5,
  threadPlan: 6,
  threadParams: 7,
  /** Wall clock (`process.hrtime`) in ns, the same stages. */
  wallFold: 8,
  wallPlan: 9,
  wallParams: 10,
} as const;
export const SLOTS = 11;

/** What a side reports once its records are done. */
export interface SideSummary {
  records: number;
  rows: number;
  poison: number;
  /** sha256 of the checked batches' planned rows and built requests, in order. */
  checksum: string;
  checkedBatches: number;
}

/** A loaded side: `run` folds the next batch into `out` (at `offset`) and returns its records (0: done). */
export interface Side {
  run(out: Float64Array, offset: number): number;
  summary(): SideSummary;
}

type AnyFn = (...args: never[]) => unknown;
const load = (tree: string, path: string) =>
  import(pathToFileURL(join(tree, path)).href) as Promise<Record<string, AnyFn>>;

/** Per-thread CPU in ns (Linux), read by `pread` of an open file; undefined where there is none. */
function threadClock(): { read: () => number; close: () => void } {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return { read: () => Number.NaN, close: () => {} };
  }
  const buf = Buffer.alloc(96);
  return {
    read: () => {
      const n = readSync(fd, buf, 0, buf.length, 0);
      const text = buf.toString('latin1', 0, n);
      return Number(text.slice(0, text.indexOf(' ')));
    },
    close: () => closeSync(fd),
  };
}

// Output is compared across trees, so class instances (Fixed, Dec) hash by their text, bigints as text.
const canonical = (_k: string, v: unknown): unknown => {
  if (typeof v === 'bigint') return `${v}n`;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null && typeof v.toString === 'function') return String(v);
  }
  return v;
};

/**
 * A planned row in the one form both trees' rows hash as: its additions as `adds` pairs in place of the parallel
 * `attrs` / `deltas` a tree's `RowWrite` may carry instead (the key order otherwise the row's own).
 */
const comparableRow = (row: unknown): unknown => {
  const r = row as Record<string, unknown>;
  if (!Array.isArray(r.attrs) || !Array.isArray(r.deltas) || 'adds' in r) return row;
  const deltas = r.deltas as unknown[];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'attrs') out.adds = (v as string[]).map((a, i) => [a, deltas[i]]);
    else if (k !== 'deltas') out[k] = v;
  }
  return out;
};

/**
 * Loads a tree's fold, plan and request builder (each tree's own `bench/suites/fold-rollups.ts` and
 * `fold-requests.ts`, so each side builds its own library's rollups and requests) and its record source.
 *
 * @example
 * ```ts
 * const side = await loadSide({ tree: '/tmp/base', workloadTree: repoRoot(), records: 1e6, batchSize: 1000,
 *   seed: 20261025, requests: 'partiql', checkEvery: 1 });
 * const out = new Float64Array(SLOTS);
 * while (side.run(out, 0) > 0) console.log(out[SLOT.cpuFold]);
 * ```
 */
export async function loadSide(o: SideOptions): Promise<Side> {
  const { Folder, foldBatch } = await load(o.tree, 'packages/dynotally/src/fold/index.ts');
  const { planWrites } = await load(o.tree, 'packages/dynotally/src/plan/index.ts');
  const { foldBenchRollups } = await load(o.tree, 'bench/suites/fold-rollups.ts');
  const { requestBuilder } = await load(o.tree, 'bench/suites/fold-requests.ts');
  const { workloadStreamRecords } = await load(o.workloadTree, 'bench/workload/index.ts');
  const rollups = (foldBenchRollups as () => { compiled: unknown }[])().map((r) => r.compiled);
  const FolderClass = Folder as unknown as new (r: unknown[]) => unknown;
  const folder = new FolderClass(rollups);
  const now = Date.UTC(2026, 9, 24);
  const shardId = 'shardId-1';
  const build = (requestBuilder as (r: string, s: string, o: object) => (w: unknown) => unknown)(
    o.requests,
    shardId,
    { table: 'aggregates', now },
  );
  const fold = foldBatch as (r: unknown[], b: DynamoDBRecord[], o: object) => FoldResult;
  const plan = planWrites as (c: unknown, o: object) => { rows: unknown[] };
  const source = (workloadStreamRecords as (w: object) => Iterator<DynamoDBRecord>)({
    seed: o.seed,
    events: o.records,
    stores: 1000,
  });
  const clock = threadClock();
  const hash: Hash = createHash('sha256');
  const batch: DynamoDBRecord[] = [];
  const built: unknown[] = [];
  let batches = 0;
  let checked = 0;
  const totals = { records: 0, rows: 0, poison: 0 };
  const us = (u: NodeJS.CpuUsage) => u.user + u.system;
  return {
    run(out, at) {
      batch.length = 0;
      for (let r = source.next(); ; r = source.next()) {
        if (r.done === true) break;
        batch.push(r.value);
        if (batch.length === o.batchSize) break;
      }
      if (batch.length === 0) {
        clock.close();
        return 0;
      }
      built.length = 0;
      const t0 = clock.read();
      const c0 = process.cpuUsage();
      const w0 = process.hrtime.bigint();
      const result = fold(rollups, batch, { folder, shardId });
      const w1 = process.hrtime.bigint();
      const c1 = process.cpuUsage();
      const t1 = clock.read();
      const p = plan(result.coalescer, { now });
      const w2 = process.hrtime.bigint();
      const c2 = process.cpuUsage();
      const t2 = clock.read();
      for (const w of p.rows) built.push(build(w));
      const w3 = process.hrtime.bigint();
      const c3 = process.cpuUsage();
      const t3 = clock.read();
      out[at + SLOT.records] = batch.length;
      out[at + SLOT.rows] = p.rows.length;
      out[at + SLOT.cpuFold] = us(c1) - us(c0);
      out[at + SLOT.cpuPlan] = us(c2) - us(c1);
      out[at + SLOT.cpuParams] = us(c3) - us(c2);
      out[at + SLOT.threadFold] = t1 - t0;
      out[at + SLOT.threadPlan] = t2 - t1;
      out[at + SLOT.threadParams] = t3 - t2;
      out[at + SLOT.wallFold] = Number(w1 - w0);
      out[at + SLOT.wallPlan] = Number(w2 - w1);
      out[at + SLOT.wallParams] = Number(w3 - w2);
      totals.records += batch.length;
      totals.rows += p.rows.length;
      totals.poison += result.poison.length;
      if (batches % o.checkEvery === 0) {
        hash.update(JSON.stringify([p.rows.map(comparableRow), built], canonical));
        checked++;
      }
      batches++;
      return batch.length;
    },
    summary: () => ({ ...totals, checksum: hash.copy().digest('hex'), checkedBatches: checked }),
  };
}

interface FoldResult {
  coalescer: unknown;
  poison: unknown[];
}
