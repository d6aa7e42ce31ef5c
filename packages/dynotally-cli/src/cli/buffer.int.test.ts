// `dynotally buffer show | release | forget`: an operator's view of the aggregate table's one Redis buffer (the owner
// item `~rbo`), and the two hand-overs the docs describe — after a Redis lost its data (its appliers and flushers are
// refused, as a second server with the prefix would be), and to move the table to another buffer. Both are
// conditional on the prefix, so a mistyped one changes nothing.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../../../../test/support/redis-server.ts';
import { claimTableBuffer } from '../../../dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../../dynotally/src/tables/index.ts';

describe('dynotally buffer', { timeout: 240_000 }, () => {
  const clients = testClients();
  const table = uniqueTableName('buffer-cli');
  const prefix = `bufcli${process.pid}:{b}:`;
  let endpoint = '';
  let server: LocalRedisServer;
  let redis: Redis;
  beforeAll(async () => {
    endpoint = await ddbReady();
    server = await startRedisServer();
    redis = new Redis(server.url);
    await createAggregateTable(clients.ddb, table);
  }, 240_000);
  afterAll(async () => {
    redis?.disconnect();
    clients.destroy();
    await server?.stop();
  });
  const cli = (args: string[]) => runDynotally([...args, '--endpoint', endpoint, '--table', table]);
  const json = async (args: string[]) => {
    const run = await cli([...args, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  };
  const claim = () => claimTableBuffer({ client: clients.ddb, table, redis, prefix });

  it('shows the buffer, refuses an emptied Redis, hands the table over to it, then forgets it', async () => {
    expect((await json(['buffer', 'show'])).owner).toEqual({});
    const first = await claim();
    const shown = await json(['buffer', 'show', '--redis', server.url]);
    expect(shown.owner).toMatchObject({ prefix, id: first });
    expect(shown.redis).toMatchObject({ prefix, id: first, verdict: 'buffer' });

    // the Redis loses its data: refused, and `show` says so and how to hand over
    await redis.flushall();
    const refused = await claim().catch((e: unknown) => e as Error & { code: string });
    expect(refused).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((refused as Error).message).toContain(
      `dynotally buffer release --key-prefix '${prefix}' --table ${table}`,
    );
    const lost = await cli(['buffer', 'show', '--redis', server.url]);
    expect(lost.code, lost.stderr).toBe(0);
    expect(lost.stdout).toContain('NOT the table');
    expect(lost.stdout).toContain(`dynotally buffer release --key-prefix '${prefix}'`);

    // a mistyped prefix changes nothing, and says what the table names
    const wrong = await cli(['buffer', 'release', '--key-prefix', 'other:{b}:']);
    expect(wrong.code, wrong.stderr).toBe(0);
    expect(wrong.stdout).toContain('nothing changed');
    expect(wrong.stdout).toContain(`buffer '${prefix}', id ${first}`);
    await expect(claim()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });

    const released = await json(['buffer', 'release', '--key-prefix', prefix]);
    expect(released).toMatchObject({ released: true, owner: { prefix } });
    expect(released.owner.id).toBeUndefined();
    const second = await claim();
    expect(second).not.toBe(first);
    expect((await json(['buffer', 'show', '--redis', server.url])).redis.verdict).toBe('buffer');

    // moving the table: forget (conditional on the prefix), then another prefix claims it
    expect((await json(['buffer', 'forget', '--key-prefix', 'other:{b}:'])).forgotten).toBe(false);
    await expect(
      claimTableBuffer({ client: clients.ddb, table, redis, prefix: 'next:{b}:' }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await json(['buffer', 'forget', '--key-prefix', prefix])).toMatchObject({
      forgotten: true,
      owner: {},
    });
    await claimTableBuffer({ client: clients.ddb, table, redis, prefix: 'next:{b}:' });
    const moved = await cli(['buffer', 'show']);
    expect(moved.stdout).toContain("buffer 'next:{b}:'");
  });

  it('a bad Redis URL prints what was expected', async () => {
    const run = await cli(['buffer', 'show', '--redis', 'http://cache:6379']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a Redis URL such as redis://127.0.0.1:6379');
  });
});
