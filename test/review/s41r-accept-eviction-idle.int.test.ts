// Review s41r (`dynotally worker --redis --accept-eviction`, a run that applies no batch): with --accept-eviction the
// worker skips the start's eviction-policy refusal, and the risk it accepts (counts lost silently once an evicting
// Redis fills) was said only by the applier, with its first batch. `worker --until-idle` on a quiet stream applies
// none, so it ran on such a Redis without a word.
// Observed (before the fix): exit 0, no warning naming the policy.
// Expected: one warning at start naming maxmemory and the policy (the applier's own warning still comes with the
// first batch it applies).
// Fixed (session 41, dynotally-cli commands/worker-buffered.ts `checkTable`).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';

let endpoint = '';
let evicting: LocalRedisServer;
let admin: Redis;
beforeAll(async () => {
  endpoint = await ddbReady();
  evicting = await startRedisServer();
  admin = new Redis(evicting.url);
  await admin.config('SET', 'maxmemory', '100mb');
  await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
});
afterAll(async () => {
  admin?.disconnect();
  await evicting?.stop();
});

describe('worker --redis --accept-eviction --until-idle on a quiet stream (review s41r)', () => {
  it('warns at start about the evicting policy it accepts', { timeout: 240_000 }, async () => {
    const own = cliTables('s41rae');
    expect((await runDynotally(['tables', 'create', ...own.flags(endpoint)])).code).toBe(0);
    const run = await runDynotally([
      'worker',
      '--until-idle',
      '--redis',
      evicting.url,
      '--accept-eviction',
      ...own.flags(endpoint),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { records: number }).records).toBe(0);
    // observed: no line names the policy
    expect(run.stderr).toMatch(/maxmemory-policy allkeys-lru.*accept/);
  });
});
