// A write side that never answers (a custom applier stuck, a request on a dead connection) used to keep its shard for
// good: the heartbeat renewed the lease while the batch waited, so no other worker took the shard, and nothing said
// why it stopped. With applyTimeoutMs the worker gives the call up (APPLY_TIMEOUT), releases the lease without a
// checkpoint, and leaves the shard to another worker, which applies the batch; the hung call, woken late, is fenced
// and counts nothing twice.
import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../../../../test/support/ddb.ts';
import {
  actualCells,
  expectedCells,
  makeOps,
  quietLogger,
  readLease,
  tallies,
  waitFor,
  workerTables,
  writeOps,
} from '../../../../test/worker/support.ts';
import { Applier, type ApplyInput, type ApplyResult, type WriteSide } from '../apply/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { readStreamRecords } from '../streams/index.ts';
import { createStreamWorker, type StreamWorkerOptions } from './index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('stream worker: a write side that hangs', () => {
  it('gives the shard up after applyTimeoutMs, another worker applies the batch, and the late call counts nothing twice', {
    timeout: 180_000,
  }, async () => {
    const { source, aggregates, leases, streamArn } = await workerTables(clients.ddb, 'hang');
    const ops = makeOps(111, 60, 20);
    await writeOps(clients.ddb, source, ops);

    const real = new Applier({ client: clients.ddb, table: aggregates, rollups: [tallies] });
    let hungInput: ApplyInput | undefined;
    let wake = () => {};
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    let late: { ok: true } | { ok: false; error: unknown } | undefined;
    // the first call hangs until the test wakes it, then applies what it was given, as a slow write side would
    const hanging: WriteSide = {
      rollups: real.rollups,
      apply: async (input: ApplyInput): Promise<ApplyResult> => {
        if (hungInput !== undefined) return real.apply(input);
        hungInput = input;
        await woken;
        try {
          const result = await real.apply(input);
          late = { ok: true };
          return result;
        } catch (e) {
          late = { ok: false, error: e };
          throw e;
        }
      },
    };
    const logger = quietLogger();
    const options = (workerId: string, more: Partial<StreamWorkerOptions>): StreamWorkerOptions => ({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId,
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 500,
      pollIntervalMs: 100,
      batchSize: 20,
      ...more,
    });
    const w1 = createStreamWorker(options('hang-1', { applier: hanging, applyTimeoutMs: 2_000, logger }));
    const w2 = createStreamWorker(options('hang-2', {}));
    try {
      await w1.start();
      await waitFor('the first batch hung', () => hungInput);
      await w2.start();
      // w2 applies every record, the hung batch's too (without the timeout w1 renews the lease for good)
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 30_000, interval: 200 })
        .toEqual(expectedCells(ops));
      const timedOut = logger.lines.filter((l) => l.level === 'error' && l.fields?.code === 'APPLY_TIMEOUT');
      expect(timedOut).toHaveLength(1);
      expect(w1.stats().lastError).toContain('APPLY_TIMEOUT');
      const shards = await readStreamRecords(clients.streams, streamArn);
      const last = shards.flatMap((s) => s.records).at(-1)?.dynamodb?.SequenceNumber;
      const shardId = shards[0]?.shardId ?? '';
      await waitFor('the checkpoint at the last record', async () =>
        (await readLease(clients.ddb, leases, streamArn, shardId))?.checkpoint?.S === last ? true : undefined,
      );

      // the hung call wakes up: its lease is given up, so the write side sends nothing (LEASE_LOST)
      wake();
      await waitFor('the late call settled', () => late);
      expect(late?.ok).toBe(false);
      expect(isDynotallyError((late as { error: unknown }).error, 'LEASE_LOST')).toBe(true);
      await waitFor('the late call logged', () =>
        logger.lines.some((l) => l.message.startsWith('a hung apply call')) ? true : undefined,
      );
      // even a write side that ignored the fence would count nothing twice (exactly-once: the rows hold the records)
      await real.apply({ ...(hungInput as ApplyInput), leaseHeld: undefined });
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells(ops));
      // and the checkpoint did not move back
      expect((await readLease(clients.ddb, leases, streamArn, shardId))?.checkpoint?.S).toBe(last);
    } finally {
      wake();
      await Promise.all([w1.stop(), w2.stop()]);
    }
  });

  it('a lone worker leaves the shard for two lease durations, then takes it back and applies the batch itself', {
    timeout: 180_000,
  }, async () => {
    const { source, aggregates, leases } = await workerTables(clients.ddb, 'hang1');
    const ops = makeOps(112, 30, 10);
    await writeOps(clients.ddb, source, ops);
    const real = new Applier({ client: clients.ddb, table: aggregates, rollups: [tallies] });
    const calls: number[] = [];
    // the first call never answers; later ones apply
    const hanging: WriteSide = {
      rollups: real.rollups,
      apply: (input: ApplyInput): Promise<ApplyResult> => {
        calls.push(Date.now());
        return calls.length === 1 ? new Promise<ApplyResult>(() => {}) : real.apply(input);
      },
    };
    const logger = quietLogger();
    const leaseDurationMs = 3_000;
    const w = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId: 'hang-alone',
      logger,
      leaseDurationMs,
      heartbeatMs: 500,
      pollIntervalMs: 100,
      applier: hanging,
      applyTimeoutMs: 1_000,
    });
    try {
      await w.start();
      await expect
        .poll(() => actualCells(clients.ddb, aggregates), { timeout: 30_000, interval: 200 })
        .toEqual(expectedCells(ops));
      expect(calls.length).toBeGreaterThanOrEqual(2);
      // taken back no sooner than two lease durations after the call was given up (its timeout)
      const gaveUp = (calls[0] as number) + 1_000;
      expect((calls[1] as number) - gaveUp).toBeGreaterThanOrEqual(2 * leaseDurationMs - 100);
      expect(logger.lines.filter((l) => l.fields?.code === 'APPLY_TIMEOUT')).toHaveLength(1);
    } finally {
      await w.stop();
    }
  });
});
