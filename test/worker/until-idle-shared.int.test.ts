// `dynotally worker --until-idle` beside another live worker: it never passed `shared`, so while the other worker held
// a shard (its fair share, renewed) the run waited for every ready shard to come into its hands, which never happened,
// until its timeout (10 minutes, or `--duration`), and exited 1. It now runs with `shared: 'auto'`: once it has watched
// the lease table for a lease duration (a crashed worker's leases have expired and are taken by then), shards whose
// holders keep renewing are theirs, and idle is its own share caught up.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStreamShards } from '../../packages/dynotally/src/streams/index.ts';
import { assignShards, LeaseStore } from '../../packages/dynotally/src/worker/index.ts';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('dynotally worker --until-idle beside a live worker', () => {
  const { tables, flags } = cliTables('s42kidle');
  let endpoint = '';
  let shardId = '';
  let other: LeaseStore;
  beforeAll(async () => {
    endpoint = await ddbReady();
    expect((await runDynotally(['tables', 'create', ...flags(endpoint)])).code).toBe(0);
    const arn = (await clients.ddb.send(new DescribeTableCommand({ TableName: tables.source }))).Table
      ?.LatestStreamArn as string;
    shardId = (await describeStreamShards(clients.streams, arn))[0]?.ShardId ?? '';
    other = new LeaseStore(clients.ddb, tables.leases, arn, { workerId: 's42k-other', instance: 'o' }, 4_000);
    await other.create({ shardId, startAt: 'TRIM_HORIZON' });
    const seen = (await other.scan()).leases.find((l) => l.shardId === shardId);
    if (seen === undefined || (await other.take(seen)) === undefined) throw new Error('no lease taken');
    await other.announce();
  }, 120_000);

  it('exits 0 once its own share is caught up, leaving the other its shard', {
    timeout: 120_000,
  }, async () => {
    // a worker id whose fair share is empty: the stream's one shard is the other worker's
    const id = ['s42k-cli-a', 's42k-cli-b', 's42k-cli-c', 's42k-cli-d'].find(
      (w) => assignShards([shardId], [w, 's42k-other']).get(shardId) === 's42k-other',
    ) as string;
    let beating = true;
    let lost = 0;
    const heartbeat = (async () => {
      while (beating) {
        await other.announce();
        if ((await other.renew(shardId)) === undefined) lost += 1;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    try {
      const started = Date.now();
      const run = await runDynotally([
        'worker',
        '--until-idle',
        '--duration',
        '45s',
        '--json',
        '--worker-id',
        id,
        ...flags(endpoint),
      ]);
      expect(run.stderr).not.toContain('WORKER_ERROR');
      expect({ code: run.code, lost }).toEqual({ code: 0, lost: 0 });
      expect(JSON.parse(run.stdout)).toMatchObject({ leasesHeld: 0, heldByOthers: 1, leasesJudged: true });
      expect(Date.now() - started).toBeLessThan(40_000);
    } finally {
      beating = false;
      await heartbeat;
    }
  });
});
