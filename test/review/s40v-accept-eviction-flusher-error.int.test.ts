// Review s40v (of s40e): `dynotally worker --redis --accept-eviction` turns the refusal of an evicting Redis into one
// warning (the applier's). With `--flush-every`, the worker also runs its own flusher in the same process, and the
// flusher does not know the risk was accepted: on the same Redis it logs, at level error, the full refusal ("Set
// maxmemory-policy noeviction … The flusher goes on (it only frees memory); the appliers refuse it unless created
// with acceptEviction: true") beside the applier's warning. A deployment that alerts on error lines is paged at every
// start for a risk it accepted explicitly, and the line contradicts the warning ("the appliers refuse it").
// Observed (main 67e39939): stderr holds the applier's warn line and the flusher's error line.
// Expected: no error-level line about the eviction policy when the process accepted it.
// Fixed: `createFlusher({ acceptEviction: true })` notes an evicting Redis with a warning (redis/flusher.ts), and the
// worker passes it to its own flusher with --accept-eviction (worker-buffered.ts). `dynotally flush` run apart keeps
// the error line. Break-check: without the worker passing it, the levels are ['warn', 'error'] as observed.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { scenario, writeChanges } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';
import { tallies } from '../worker/support.ts';

describe('dynotally worker --redis --accept-eviction --flush-every (review s40v)', () => {
  const clients = testClients();
  let endpoint = '';
  let evicting: LocalRedisServer;
  let admin: Redis;
  beforeAll(async () => {
    endpoint = await ddbReady();
    evicting = await startRedisServer();
    admin = new Redis(evicting.url);
    await admin.config('SET', 'maxmemory', '100mb');
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
  });
  afterAll(async () => {
    admin?.disconnect();
    clients.destroy();
    await evicting?.stop();
  });

  it("the worker's own flusher logs no error for an eviction policy the process accepted", {
    timeout: 240_000,
  }, async () => {
    const own = cliTables('s40vev');
    expect((await runDynotally(['tables', 'create', ...own.flags(endpoint)])).code).toBe(0);
    const gen = scenario('s4').create({ seed: 8 });
    await writeChanges(clients.ddb, own.tables.source, gen.history(Date.now(), 20));
    const run = await runDynotally([
      'worker',
      '--until-idle',
      '--redis',
      evicting.url,
      '--accept-eviction',
      '--flush-every',
      '1s',
      ...own.flags(endpoint),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stderr
      .split('\n')
      .filter((l) => l.includes('maxmemory-policy'))
      .map((l) => JSON.parse(l) as { level: string; message: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((l) => l.level)).not.toContain('error');
  });

  it('a flusher given an acceptEviction that is not a boolean is refused at creation', () => {
    const redis = new Redis(evicting.url, { lazyConnect: true });
    try {
      const make = (acceptEviction: unknown) =>
        createFlusher({
          redis,
          client: clients.ddb,
          table: 'aggregates',
          rollups: [tallies],
          acceptEviction,
        } as never);
      expect(() => make('yes')).toThrow(/CONFIG_INVALID|acceptEviction must be true or false/);
      expect(() => make(true)).not.toThrow();
    } finally {
      redis.disconnect();
    }
  });
});
