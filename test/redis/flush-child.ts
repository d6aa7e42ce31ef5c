// A flusher in its own process, for the crash tests: `node --import tsx test/redis/flush-child.ts`.
// It flushes every closed bucket and SIGKILLs itself at the step named by DYNOTALLY_TEST_FLUSH_CRASH_AT:
//   sealed | bucket-start:<n> | row-written:<k> | rows-written:<n> | bucket-done:<n>
// (<n>: the n-th bucket of this run, <k>: after k row updates in all). Without it, the flush runs to the end.
// Configuration (all required unless noted): REDIS_URL, DDB_ENDPOINT, TABLE, KEY_PREFIX, NOW (epoch ms of the
// fake clock), ZONE (of the test rollups), BUCKET_MS; CONCURRENCY (default 4), LOCK_MS (default 60000).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createFlusher, type FlushStep } from '../../packages/dynotally/src/redis/index.ts';
import { testRollups } from '../support/test-rollups.ts';

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`flush-child: ${name} is not set`);
  return v;
}

const crashAt = process.env.DYNOTALLY_TEST_FLUSH_CRASH_AT ?? '';
const [crashStep, crashArg] = crashAt.split(':');
let buckets = 0;
let rows = 0;

function shouldCrash(s: FlushStep): boolean {
  if (s.step !== crashStep) return false;
  switch (s.step) {
    case 'sealed':
      return true;
    case 'bucket-start':
      return ++buckets === Number(crashArg);
    case 'row-written':
      return ++rows === Number(crashArg);
    case 'rows-written':
      return ++buckets === Number(crashArg);
    case 'bucket-done':
      return s.buckets === Number(crashArg);
  }
}

const redis = new Redis(env('REDIS_URL'));
const client = new DynamoDBClient(localClientConfig(env('DDB_ENDPOINT')));
const now = Number(env('NOW'));
const flusher = createFlusher({
  redis,
  client,
  table: env('TABLE'),
  rollups: testRollups(env('ZONE')).rollups,
  keyPrefix: env('KEY_PREFIX'),
  bucketMs: Number(env('BUCKET_MS')),
  graceMs: 0,
  keepFlushedMs: 60_000,
  concurrency: Number(process.env.CONCURRENCY ?? 4),
  lockMs: Number(process.env.LOCK_MS ?? 60_000),
  now: () => now,
  onStep: (s) => {
    if (crashStep !== undefined && crashStep !== '' && shouldCrash(s)) process.kill(process.pid, 'SIGKILL');
  },
});

const report = await flusher.flushClosed();
process.stdout.write(`${JSON.stringify(report)}\n`);
redis.disconnect();
client.destroy();
