// A dead-letter sink that never answers used to hold its shard for good: applyTimeoutMs bounded only the write side's
// calls, so the heartbeat renewed the lease while the letter waited, no other worker took the shard, and stop() never
// returned. The sink's calls are bounded the same way now (APPLY_TIMEOUT): the lease is released with no checkpoint
// past the letter, and a dead-letter call that wakes up after its timeout stores nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../../../../test/support/ddb.ts';
import {
  makeOps,
  quietLogger,
  readLease,
  tallies,
  waitFor,
  workerTables,
  writeOps,
} from '../../../../test/worker/support.ts';
import type { ApplyResult, DeadLetterProbe, WriteSide } from '../apply/index.ts';
import type { DeadLetter, DeadLetterSink } from '../dead-letter/index.ts';
import { readStreamRecords } from '../streams/index.ts';
import { createStreamWorker, type StreamWorkerOptions } from './index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** A write side that fails every batch (its records go to the dead-letter sink); `probe` stands for its probe. */
const failing = (probe?: () => Promise<DeadLetterProbe>): WriteSide => ({
  rollups: [tallies.compiled],
  apply: async (): Promise<ApplyResult> => {
    throw new Error('poison');
  },
  ...(probe === undefined ? {} : { deadLetterProbe: probe }),
});

/** `p`, or a rejection after `ms` (so a stop that never returns fails the test instead of hanging it). */
const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms),
    ),
  ]);

async function setUp(name: string) {
  const { source, aggregates, leases, streamArn } = await workerTables(clients.ddb, name);
  await writeOps(clients.ddb, source, makeOps(121, 20, 10));
  const shardId = (await readStreamRecords(clients.streams, streamArn))[0]?.shardId ?? '';
  const options = (more: Partial<StreamWorkerOptions>): StreamWorkerOptions => ({
    client: clients.ddb,
    streamsClient: clients.streams,
    sourceTable: source,
    leaseTable: leases,
    table: aggregates,
    rollups: [tallies],
    workerId: `${name}-1`,
    leaseDurationMs: 3_000,
    heartbeatMs: 500,
    pollIntervalMs: 100,
    batchSize: 20,
    maxRetries: 0,
    bisectOnError: false,
    retryBaseMs: 10,
    applyTimeoutMs: 1_000,
    ...more,
  });
  return { leases, streamArn, shardId, options };
}

describe('stream worker: a dead-letter sink that hangs', () => {
  it('gives the shard up after applyTimeoutMs (APPLY_TIMEOUT), with no checkpoint past the letter, and stop() returns', {
    timeout: 120_000,
  }, async () => {
    const { leases, streamArn, shardId, options } = await setUp('dlhang');
    const sends: DeadLetter[][] = [];
    const sink: DeadLetterSink = {
      send: (letters) => {
        sends.push([...letters]);
        return new Promise<void>(() => {}); // never answers
      },
    };
    const logger = quietLogger();
    const w = createStreamWorker(options({ applier: failing(), deadLetter: sink, logger }));
    try {
      await w.start();
      await waitFor('the letter was sent', () => (sends.length > 0 ? true : undefined));
      await waitFor('the dead-letter call timed out', () =>
        logger.lines.some((l) => l.fields?.code === 'APPLY_TIMEOUT' && l.fields?.stage === 'dead-letter')
          ? true
          : undefined,
      );
      // the consumer logs the timeout, then releases the lease and exits: the worker's stats follow its exit
      await waitFor('the worker reports the timeout', () =>
        w.stats().lastError?.includes('APPLY_TIMEOUT') ? true : undefined,
      );
    } finally {
      // a hung sink held the shard, so stop() never returned
      await within(w.stop(), 15_000, 'stop()');
    }
    const lease = await readLease(clients.ddb, leases, streamArn, shardId);
    expect(lease?.checkpoint).toBeUndefined(); // nothing past the unstored letter
    expect(lease?.owner?.NULL).toBe(true); // released
  });

  it('a dead-letter call that wakes up after its timeout stores no letter (its records are redelivered)', {
    timeout: 120_000,
  }, async () => {
    const { leases, streamArn, shardId, options } = await setUp('dlwake');
    let probed = 0;
    let wake = () => {};
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    // the first probe of the rows a letter would name hangs until the test wakes it; later ones answer
    const probe = async (): Promise<DeadLetterProbe> => {
      probed += 1;
      if (probed === 1) await woken;
      return { strategy: 'row-watermark', rollups: [tallies.compiled] };
    };
    const sends: DeadLetter[][] = [];
    const sink: DeadLetterSink = {
      send: async (letters) => {
        sends.push([...letters]);
      },
    };
    const logger = quietLogger();
    // a long lease duration: this lone worker does not take the shard back before the test ends
    const w = createStreamWorker(
      options({
        applier: failing(probe),
        deadLetter: sink,
        logger,
        leaseDurationMs: 60_000,
        heartbeatMs: 2_000,
      }),
    );
    try {
      await w.start();
      await waitFor('the dead-letter call timed out', () =>
        logger.lines.some((l) => l.fields?.code === 'APPLY_TIMEOUT' && l.fields?.stage === 'dead-letter')
          ? true
          : undefined,
      );
      wake();
      await waitFor('the late call failed', () =>
        logger.lines.some((l) => l.message.startsWith('a hung dead-letter call failed after its timeout'))
          ? true
          : undefined,
      );
      expect(sends).toEqual([]);
      const late = logger.lines.find((l) => l.message.startsWith('a hung dead-letter call failed'));
      expect(String(late?.fields?.error)).toContain('not stored');
    } finally {
      wake();
      await within(w.stop(), 15_000, 'stop()');
    }
    expect((await readLease(clients.ddb, leases, streamArn, shardId))?.checkpoint).toBeUndefined();
  });
});
