// What: 60d9c773 sends every stream read (GetRecords, GetShardIterator) with
// `AbortSignal.any([consumerStopSignal, AbortSignal.timeout(readTimeoutMs)])`. On Node 20 (engines: >=20.19; 20.20.2
// here) `AbortSignal.any` registers each composite on its long-lived source (the consumer's stop signal, which lives
// as long as the consumer holds the shard) and never prunes it: a set entry per read, kept until the consumer ends.
// Measured outside the worker: ~60 bytes per read never freed while the source lives (300k reads: +47 MB, all freed
// only when the controller is dropped). A caught-up shard polls every pollIntervalMs (250 ms): ~0.9 MB an hour per
// held shard, ~3.5 MB per shard over a DynamoDB shard's ~4 h life; a worker holding hundreds of shards grows by
// hundreds of MB. Each read also leaves a 30 s timer pending after it has answered.
// Expected: a read's signal leaves nothing behind on the consumer's stop signal once the read has settled (no
// dependants that grow with the number of reads).
// Severity: medium (memory that grows with reads for the life of each consumer, on a supported Node).
// How it looks: the GetRecords signals are captured from the streams client; Node's own bookkeeping
// (`Symbol(kSourceSignals)` on a composite, `Symbol(kDependantSignals)` on its source) shows what they retain.
// Fixed: on main meanwhile by 2acca45a (worker/bounded-read.ts: one AbortController a read, its timer and stop
// listener freed when the read settles), found independently; this probe checks it through a real worker on
// DynamoDB Local. Break-check: with `AbortSignal.any` back in the consumer's reads (as 60d9c773 had it), 220
// dependants are retained after 220 reads (fails).
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  tallies,
  workerTables,
  writeOps,
} from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** A symbol-keyed own property of `o` whose symbol is described `name` (a Node internal), or undefined. */
function internal(o: object, name: string): unknown {
  const key = Object.getOwnPropertySymbols(o).find((s) => s.description === name);
  return key === undefined ? undefined : (o as Record<symbol, unknown>)[key];
}

/** A set as Node keeps it internally (a primordials `SafeSet`, not `instanceof Set`), or undefined. */
function setOf<T>(value: unknown): { size: number; [Symbol.iterator](): Iterator<T> } | undefined {
  return typeof value === 'object' && value !== null && 'size' in value && Symbol.iterator in value
    ? (value as { size: number; [Symbol.iterator](): Iterator<T> })
    : undefined;
}

/** How many dependants the long-lived sources of `signal` hold (0 when it has none). */
function retainedBySources(signal: AbortSignal): number {
  const sources = setOf<WeakRef<AbortSignal>>(internal(signal, 'kSourceSignals'));
  if (sources === undefined) return 0;
  let n = 0;
  for (const ref of sources) {
    const source = ref.deref();
    const dependants = source === undefined ? undefined : setOf(internal(source, 'kDependantSignals'));
    if (dependants !== undefined) n = Math.max(n, dependants.size);
  }
  return n;
}

describe('s38x: the signal each stream read is sent with', () => {
  it('leaves nothing behind on the consumer stop signal, however many reads', {
    timeout: 300_000,
  }, async () => {
    const { source, aggregates, leases } = await workerTables(clients.ddb, 's38xsig');
    const ops = makeOps(3811, 10, 4);
    await writeOps(clients.ddb, source, ops);
    const signals: AbortSignal[] = [];
    const send = clients.streams.send.bind(clients.streams) as (c: unknown, o?: unknown) => Promise<unknown>;
    const streams = new Proxy(clients.streams, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (command: { constructor: { name: string } }, options?: { abortSignal?: AbortSignal }) => {
          if (command.constructor.name === 'GetRecordsCommand' && options?.abortSignal !== undefined)
            signals.push(options.abortSignal);
          return send(command, options);
        };
      },
    });
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 's38x-sig',
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 5,
    });
    try {
      await w.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 200 })
        .toEqual(expectedCells(ops));
      // a caught-up shard polling: 60 reads more (a shard's reads are spaced 250 ms since review s42w: 15 s idle, and
      // each read waits for DynamoDB Local, 5-10 times slower at load 15: up to 150 s)
      const from = signals.length;
      await expect.poll(() => signals.length, { timeout: 150_000, interval: 50 }).toBeGreaterThan(from + 60);
      const last = signals.at(-1) as AbortSignal;
      expect(retainedBySources(last)).toBeLessThan(20);
    } finally {
      await w.stop();
    }
  });
});
