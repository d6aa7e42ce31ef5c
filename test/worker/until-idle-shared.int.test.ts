// `dynotally worker --until-idle` beside another live worker: it never passed `shared`, so while the other worker held
// a shard (its fair share, renewed) the run waited for every ready shard to come into its hands, which never happened,
// until its timeout (10 minutes, or `--duration`), and exited 1. It now runs with `shared: 'auto'`: once it has watched
// the lease table for a lease duration (a crashed worker's leases have expired and are taken by then), shards whose
// holders keep renewing are theirs, and idle is its own share caught up.
// The two worker ids are chosen so that the stream's one shard is the other's fair share. s42k chose the CLI's id among
// four against one fixed other id: the shard id is random, and for one in five of them (when the other ranks below all
// four by rendezvous hash) none fitted, `--worker-id undefined` ran, the shard was its share, held by an "other" that
// never hands it over, and the run waited out its 45 s (CI run G's "shards 0 · workers 2", seen as a failure under
// load; s43i traced it, the CLI's id "undefined"). Pairs of ids are tried now, each pair a fresh coin: 64 of them.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStreamShards } from '../../packages/dynotally/src/streams/index.ts';
import { assignShards, LeaseStore } from '../../packages/dynotally/src/worker/index.ts';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** Two worker ids by which `shardId` is the other's share (each pair an even chance: 64 pairs all fail 1 in 2^64). */
function idsLeavingTheShardToTheOther(shardId: string): { cli: string; other: string } {
  for (let i = 0; i < 64; i++) {
    const cli = `s43i-cli-${i}`;
    const other = `s43i-other-${i}`;
    if (assignShards([shardId], [cli, other]).get(shardId) === other) return { cli, other };
  }
  throw new Error(`no pair of worker ids leaves ${shardId} to the other`);
}

describe('dynotally worker --until-idle beside a live worker', () => {
  const { tables, flags } = cliTables('s42kidle');
  let endpoint = '';
  let shardId = '';
  let other: LeaseStore;
  /** The CLI worker's id: its fair share beside `other` is empty. */
  let id = '';
  beforeAll(async () => {
    endpoint = await ddbReady();
    expect((await runDynotally(['tables', 'create', ...flags(endpoint)])).code).toBe(0);
    const arn = (await clients.ddb.send(new DescribeTableCommand({ TableName: tables.source }))).Table
      ?.LatestStreamArn as string;
    shardId = (await describeStreamShards(clients.streams, arn))[0]?.ShardId ?? '';
    const pair = idsLeavingTheShardToTheOther(shardId);
    id = pair.cli;
    other = new LeaseStore(clients.ddb, tables.leases, arn, { workerId: pair.other, instance: 'o' }, 4_000);
    await other.create({ shardId, startAt: 'TRIM_HORIZON' });
    const seen = (await other.scan()).leases.find((l) => l.shardId === shardId);
    if (seen === undefined || (await other.take(seen)) === undefined) throw new Error('no lease taken');
    await other.announce();
  }, 120_000);

  it('exits 0 once its own share is caught up, leaving the other its shard', {
    timeout: 120_000,
  }, async () => {
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
