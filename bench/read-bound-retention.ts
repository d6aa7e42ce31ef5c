// node --expose-gc --import tsx bench/read-bound-retention.ts [--reads=1200000] [--out=docs/performance/read-bound-retention-<date>.json]
//
// What a stream consumer's per-read bound leaves on its long-lived stop signal, after `--reads` reads (each bound
// made and settled at once), for the two ways of making it: `AbortSignal.any([stop, AbortSignal.timeout(ms)])` (the
// first version of the worker's read bound) and `boundedRead` (worker/bounded-read.ts: one AbortController a read,
// its timer and listener freed when it settles). Reported per way: the live heap after a forced full GC above the
// level before, the abort listeners left on the stop signal, and (for `any`) the dependent signals the stop signal
// still references (Node's internal `kDependantSignals`, when this Node has it). Prints one JSON object (and writes it
// to `--out` when given).
import { getEventListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { boundedRead } from '../packages/dynotally/src/worker/bounded-read.ts';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const READS = Number(arg('reads', '1200000'));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/** The stop signal's dependent signals (Node's internal set), or undefined when this Node has none. */
function dependants(signal: AbortSignal): number | undefined {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals');
  const set = key === undefined ? undefined : (signal as unknown as Record<symbol, { size?: number }>)[key];
  return set?.size;
}

async function settle(): Promise<number> {
  await new Promise((r) => setImmediate(r));
  gc?.();
  await new Promise((r) => setImmediate(r));
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function measure(way: 'AbortSignal.any' | 'boundedRead') {
  const stop = new AbortController();
  const before = await settle();
  const started = process.hrtime.bigint();
  for (let i = 0; i < READS; i++) {
    if (way === 'boundedRead') await boundedRead(stop.signal, 30_000, async () => i);
    else AbortSignal.any([stop.signal, AbortSignal.timeout(30_000)]);
    if (i % 10_000 === 0) await new Promise((r) => setImmediate(r));
  }
  const ns = Number(process.hrtime.bigint() - started);
  const after = await settle();
  const result = {
    way,
    reads: READS,
    heapAboveBeforeMiB: Number(((after - before) / 2 ** 20).toFixed(1)),
    listenersLeft: getEventListeners(stop.signal, 'abort').length,
    dependantSignalsLeft: dependants(stop.signal) ?? null,
    nsPerRead: Math.round(ns / READS),
  };
  stop.abort(); // frees whatever the signal kept
  return result;
}

const results = {
  node: process.version,
  at: new Date().toISOString(),
  loadAverage: loadavg().slice(0, 2),
  runs: [] as unknown[],
};
for (const way of ['AbortSignal.any', 'boundedRead'] as const) results.runs.push(await measure(way));
const json = `${JSON.stringify(results, null, 2)}\n`;
process.stdout.write(json);
const out = arg('out', '');
if (out !== '') writeFileSync(out, json);
