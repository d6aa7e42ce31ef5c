// What: `dynotally worker --until-idle` stopped by Ctrl-C (SIGINT) or a supervisor's SIGTERM before it caught up: the
// signal handler stopped the worker, `runWorkerUntilIdle` then threw "the worker stopped before it became idle", and
// the command exited 1 with `dynotally: [WORKER_ERROR] the worker stopped before it became idle`, a failure that says
// nothing of the interruption nor of what the run did (the stop itself was clean: checkpoints, leases released).
// Here: the CLI worker beside a live "other" worker holding the stream's only shard, so the run never catches up; it is
// sent SIGINT (then, a second run, SIGTERM) once its presence is in the lease table.
// Expected: a clean stop (its presence removed), a line saying it was interrupted before it caught up and what it did,
// the stats on stdout, and the shell's code for the signal (130 SIGINT, 143 SIGTERM): the run's goal, caught up, was
// not reached, so a script (`dynotally worker --until-idle && …`) must not go on; without `--until-idle`, Ctrl-C is how
// the worker ends, and exits 0 as before. No WORKER_ERROR.
// Severity: low-medium (a misleading error on every interrupted catch-up run; a supervisor reads a failure).
// Fixed: commands/worker.ts tells the stop of an interruption from a failure, says it, and sets the exit code
// (`CliContext.exitCode`, returned by runCli).
// Break-check: without the interruption branch the run exits 1 with WORKER_ERROR (fails).
import { spawn } from 'node:child_process';
import { DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStreamShards } from '../../packages/dynotally/src/streams/index.ts';
import { LeaseStore, workerKey } from '../../packages/dynotally/src/worker/index.ts';
import { BIN, CLI_CWD, cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { waitFor } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

/** Runs `dynotally <args>` until `signal` is sent to it once `ready()` says so; how it ended and what it printed. */
function interruptedRun(
  args: readonly string[],
  ready: () => Promise<boolean>,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('DYNOTALLY_') || k.startsWith('AWS_')) delete env[k];
  env.DYNOTALLY_TIMEOUT = '120s';
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: CLI_CWD,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return (async () => {
    await waitFor('the worker running', async () => ((await ready()) ? true : undefined), 60_000);
    child.kill(signal);
    return { code: await closed, stdout, stderr };
  })();
}

describe('s39w: dynotally worker --until-idle interrupted', () => {
  const { tables, flags } = cliTables('s39wint');
  let endpoint = '';
  beforeAll(async () => {
    endpoint = await ddbReady();
    expect((await runDynotally(['tables', 'create', ...flags(endpoint)])).code).toBe(0);
    // another worker, alive for 10 minutes, holds the stream's only shard: the run never catches up
    const arn = (await clients.ddb.send(new DescribeTableCommand({ TableName: tables.source }))).Table
      ?.LatestStreamArn as string;
    const shardId = (await describeStreamShards(clients.streams, arn))[0]?.ShardId ?? '';
    const other = new LeaseStore(clients.ddb, tables.leases, arn, 's39w-other', 600_000);
    await other.create({ shardId, startAt: 'TRIM_HORIZON' });
    const seen = (await other.scan()).leases.find((l) => l.shardId === shardId);
    if (seen === undefined || (await other.take(seen)) === undefined) throw new Error('no lease taken');
    await other.announce();
  }, 120_000);

  /** Whether the CLI worker's presence item is in the lease table. */
  const present = async (workerId: string): Promise<boolean> => {
    const arn = (await clients.ddb.send(new DescribeTableCommand({ TableName: tables.source }))).Table
      ?.LatestStreamArn as string;
    const out = await clients.ddb.send(
      new GetItemCommand({
        TableName: tables.leases,
        Key: { pk: { S: workerKey(arn, workerId) } },
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  };

  it('Ctrl-C: stops cleanly, says it was interrupted, exits 130', { timeout: 180_000 }, async () => {
    const run = await interruptedRun(
      ['worker', '--until-idle', '--worker-id', 's39w-int', ...flags(endpoint)],
      () => present('s39w-int'),
      'SIGINT',
    );
    expect(run.stderr).not.toContain('WORKER_ERROR');
    expect(run.stderr).toContain('SIGINT: interrupted before every shard was caught up; stopped cleanly');
    expect(run.stdout).toMatch(/^stopped: records 0 /);
    expect({ code: run.code, present: await present('s39w-int') }).toEqual({ code: 130, present: false });
  });

  it('SIGTERM with --json: the stats with the signal, exit 143', { timeout: 180_000 }, async () => {
    const run = await interruptedRun(
      ['worker', '--until-idle', '--json', '--worker-id', 's39w-term', ...flags(endpoint)],
      () => present('s39w-term'),
      'SIGTERM',
    );
    expect(run.stderr).not.toContain('WORKER_ERROR');
    expect(JSON.parse(run.stdout)).toMatchObject({ interrupted: 'SIGTERM', state: 'stopped', leasesHeld: 0 });
    expect({ code: run.code, present: await present('s39w-term') }).toEqual({ code: 143, present: false });
  });
});
