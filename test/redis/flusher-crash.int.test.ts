import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracle } from '../oracle/oracle.ts';
import { ddbReady } from '../support/ddb.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import {
  type BufferEnv,
  bufferAcrossBuckets,
  canonicalOf,
  MINUTE,
  markedRows,
  sampleWorkload,
  scanItems,
  startBufferEnv,
} from './harness.ts';

const ZONE = 'Europe/London';
const CHILD = fileURLToPath(new URL('./flush-child.ts', import.meta.url));

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(env: Record<string, string>): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// Each crash point: where the child flusher SIGKILLs itself, and whether DynamoDB already holds some of the
// bucket's rows when it dies (so the restart must find them by their markers and skip them).
const CRASHES = [
  { at: 'sealed', partial: false },
  { at: 'row-written:3', partial: true },
  { at: 'rows-written:1', partial: true },
  { at: 'bucket-done:1', partial: true },
  { at: 'row-written:20', partial: true },
] as const;

// A generous budget: DynamoDB Local is shared with other suites on a small machine (no timing is asserted).
describe('Redis buffer: a flusher killed (SIGKILL) at any step and restarted loses nothing and counts nothing twice', {
  timeout: 360_000,
}, () => {
  let env: BufferEnv;
  let endpoint: string;
  beforeAll(async () => {
    env = await startBufferEnv();
    endpoint = await ddbReady();
  });
  afterAll(async () => {
    await env?.close();
  });

  const ops = sampleWorkload(7, 30);
  const sim = simulate(ops);
  const { rollups, compiled, oracleRollups } = testRollups(ZONE);
  const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);

  for (const crash of CRASHES) {
    it(`killed at ${crash.at}`, async () => {
      const { table, keyPrefix, clock, common } = await env.fixture(
        'rb-crash',
        rollups,
        Date.UTC(2026, 0, 10, 12, 0, 30),
      );
      // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
      const applier = createBufferedApplier({ ...common, lateRecords: 'apply' });
      // spread the records over five buckets
      await bufferAcrossBuckets(applier, sim.records, 5, clock);
      const openBefore = await env.redis.zcard(`${keyPrefix}open`);
      expect(openBefore).toBeGreaterThanOrEqual(4);

      const child = await runChild({
        REDIS_URL: env.server.url,
        DDB_ENDPOINT: endpoint,
        TABLE: table,
        KEY_PREFIX: keyPrefix,
        NOW: String(clock.now()),
        ZONE,
        BUCKET_MS: String(MINUTE),
        LOCK_MS: '400',
        DYNOTALLY_TEST_FLUSH_CRASH_AT: crash.at,
      });
      expect(child.signal, child.stderr).toBe('SIGKILL');

      // right after the crash, readers still see every event exactly once (DynamoDB merged with Redis)
      const live = createRedisLiveSource(common);
      const itemsAfterCrash = await scanItems(env.ddb, table);
      expect(canonicalOf(compiled, itemsAfterCrash, await live.readAll())).toEqual(expected);
      if (crash.partial) expect(markedRows(itemsAfterCrash)).toBeGreaterThan(0);
      else expect(markedRows(itemsAfterCrash)).toBe(0);

      // the restarted flusher waits for the dead one's lock to lapse, then finishes the job
      const flusher = createFlusher({ ...common, graceMs: 0 });
      let report = await flusher.flushClosed();
      for (let i = 0; report.skipped === 'locked' && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        report = await flusher.flushClosed();
      }
      expect(report.skipped).toBeUndefined();
      if (crash.at === 'rows-written:1') expect(report.rowsAlreadyApplied).toBeGreaterThan(0);
      expect(await env.redis.zcard(`${keyPrefix}open`)).toBe(0);
      const items = await scanItems(env.ddb, table);
      expect(canonicalOf(compiled, items)).toEqual(expected);
      expect(canonicalOf(compiled, items, await live.readAll())).toEqual(expected);
    });
  }

  it('killed twice in a row (mid-rows, then after a bucket) and restarted', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture(
      'rb-crash2',
      rollups,
      Date.UTC(2026, 0, 10, 12, 0, 30),
    );
    const applier = createBufferedApplier({ ...common, lateRecords: 'apply' });
    await bufferAcrossBuckets(applier, sim.records, 4, clock);
    const base = {
      REDIS_URL: env.server.url,
      DDB_ENDPOINT: endpoint,
      TABLE: table,
      KEY_PREFIX: keyPrefix,
      NOW: String(clock.now()),
      ZONE,
      BUCKET_MS: String(MINUTE),
      LOCK_MS: '300',
    };
    expect((await runChild({ ...base, DYNOTALLY_TEST_FLUSH_CRASH_AT: 'row-written:5' })).signal).toBe(
      'SIGKILL',
    );
    await new Promise((r) => setTimeout(r, 400));
    expect((await runChild({ ...base, DYNOTALLY_TEST_FLUSH_CRASH_AT: 'bucket-done:2' })).signal).toBe(
      'SIGKILL',
    );
    await new Promise((r) => setTimeout(r, 400));
    const last = await runChild(base);
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout.trim().split('\n').pop() as string);
    expect(report.skipped).toBeUndefined();
    expect(report.buckets).toBeGreaterThan(0);
    expect(await env.redis.zcard(`${keyPrefix}open`)).toBe(0);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(expected);
  });
});
