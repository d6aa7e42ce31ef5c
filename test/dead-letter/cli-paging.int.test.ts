// `dynotally dead-letters list` and `replay --all` at scale (session 42): pages of --page-size letters, the filter
// flags (--code, --rollup, --since, --until, --limit) and their usage errors, progress lines and a summary on stderr,
// Ctrl-C stopping after the letter being replayed, and every record still counted exactly once.
import { spawn } from 'node:child_process';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DeadLetter, DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { BIN, CLI_CWD, type CliRun, cliEnv, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { deliverAll, Pipeline, type ShardStream } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const N = 120;
const T0 = Date.UTC(2026, 11, 1, 12);
let pipeline: Pipeline;
let shards: ShardStream[];
let endpoint: string;
let control: Map<string, string>;

async function tableOfLetters(name: string): Promise<string> {
  const dlq = await pipeline.newDeadLetterTable(name);
  const letters: DeadLetter[] = [];
  let i = 0;
  for (const s of shards)
    for (const record of s.records as DynamoDBRecord[]) {
      const fold = i % 4 === 0;
      letters.push({
        source: pipeline.streamArn,
        shardId: s.shardId,
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        eventId: record.eventID,
        code: fold ? 'VALUE_INVALID' : 'RETRIES_EXHAUSTED',
        reason: fold ? `rollup '${i % 8 === 0 ? 'jobs' : 'scans'}': a bad value` : `failed ${i}`,
        record,
        at: T0 + (i < N / 2 ? 0 : 7_200_000) + i,
      });
      i += 1;
    }
  await new DynamoDbDeadLetterSink(clients.ddb, dlq).send(letters);
  return dlq;
}

const flagsOf = (dlq: string, table = pipeline.aggregates) => [
  '--endpoint',
  endpoint,
  '--table',
  table,
  '--dead-letter-table',
  dlq,
];
const listed = async (args: string[]): Promise<Array<{ id: string; code: string; at: number }>> => {
  const run = await runDynotally(['dead-letters', 'list', '--json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).deadLetters;
};
/** The data rows of a human table (its header and rule left out). */
const rowsOf = (stdout: string) => stdout.split('\n').filter((l) => /^[0-9a-f]{16} /.test(l));

beforeAll(async () => {
  endpoint = await ddbReady();
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlclipage');
  for (let i = 0; i < N; i++)
    await pipeline.put({
      id: { S: `j${i}` },
      type: { S: 'job' },
      customerId: { S: ['acme', 'beta', 'gamma'][i % 3] as string },
      createdAt: { N: String(Date.now() - 3_600_000 - i * 1_000) },
    });
  shards = await pipeline.readStream();
  expect(shards.flatMap((s) => s.records)).toHaveLength(N);
  const table = await pipeline.newAggregateTable('agg-control');
  await deliverAll(pipeline.handler({ table }), shards);
  control = await pipeline.canonical(table);
});

describe('dynotally dead-letters at scale', () => {
  it('lists a page at a time, filtered by code, rollup and time, up to --limit', async () => {
    const dlq = await tableOfLetters('dlq-list');
    const flags = flagsOf(dlq);
    expect(await listed(['--page-size', '25', ...flags])).toHaveLength(N);
    expect(await listed(['--code', 'VALUE_INVALID', '--page-size', '25', ...flags])).toHaveLength(N / 4);
    expect(
      await listed(['--code', 'VALUE_INVALID,RETRIES_EXHAUSTED', '--code', 'ROW_REJECTED', ...flags]),
    ).toHaveLength(N);
    const jobs = await listed(['--rollup', 'jobs', ...flags]);
    expect(jobs).toHaveLength(N / 8);
    const late = await listed(['--since', new Date(T0 + 3_600_000).toISOString(), ...flags]);
    expect(late).toHaveLength(N / 2);
    expect(late.every((l) => l.at >= T0 + 3_600_000)).toBe(true);
    // epoch ms; a duration back from now (every letter is older than a minute)
    expect(await listed(['--until', String(T0 + 3_600_000), ...flags])).toHaveLength(N / 2);
    expect(await listed(['--since', '1m', ...flags])).toHaveLength(0);

    const limited = await runDynotally([
      'dead-letters',
      'list',
      '--limit',
      '30',
      '--page-size',
      '25',
      '--json',
      ...flags,
    ]);
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(limited.stdout).deadLetters).toHaveLength(30);
    expect(limited.stderr).toContain('--limit 30');

    // the human table: one header, a row per letter
    const human = await runDynotally([
      'dead-letters',
      'list',
      '--code',
      'VALUE_INVALID',
      '--page-size',
      '7',
      ...flags,
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(rowsOf(human.stdout)).toHaveLength(N / 4);
    expect(human.stdout.match(/^ID +AT +CODE/gm)).toHaveLength(1);
    const none = await runDynotally(['dead-letters', 'list', '--code', 'ROW_REJECTED', ...flags]);
    expect(none.stdout).toContain('no dead letters to replay of that selection');
  });

  it('refuses bad filter flags with exit 2 and one line naming the flag', async () => {
    const flags = flagsOf('no-such-dlq');
    for (const [args, flag] of [
      [['list', '--code', 'retries'], '--code'],
      [['list', '--since', 'yesterday'], '--since'],
      [['list', '--until', '1795439100'], '--until'],
      [['list', '--since', '2026-12-02', '--until', '2026-12-01'], '--since'],
      [['list', '--limit', '0'], '--limit'],
      [['list', '--page-size', '5000'], '--page-size'],
      [['list', '--rollup', 'a#b'], '--rollup'],
      [['replay', '0123456789abcdef', '--code', 'ROW_REJECTED'], '--code'],
      [['replay', '--all', '--progress-every', 'x'], '--progress-every'],
    ] as const) {
      const run = await runDynotally(['dead-letters', ...args, ...flags]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(flag);
    }
  });

  it('replays --all a page at a time with progress lines and a summary, exactly once', async () => {
    const dlq = await tableOfLetters('dlq-replay');
    const table = await pipeline.newAggregateTable('agg-replay');
    const flags = flagsOf(dlq, table);
    const run = await runDynotally([
      'dead-letters',
      'replay',
      '--all',
      '--page-size',
      '25',
      '--progress-every',
      '25',
      ...flags,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const rows = rowsOf(run.stdout);
    expect(rows).toHaveLength(N);
    expect(rows.every((r) => / replayed /.test(r))).toBe(true);
    const progress = run.stderr.split('\n').filter((l) => l.includes('letters so far'));
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress[0]).toMatch(/^replay: 25 letters so far: 25 replayed, 0 skipped .*, 0 failed/);
    expect(run.stderr).toContain(`replay: ${N} letters: ${N} replayed, 0 skipped`);
    expect(await pipeline.canonical(table)).toEqual(control);

    const again = await runDynotally(['dead-letters', 'replay', '--all', ...flags]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('nothing to replay\n');
    expect(await pipeline.canonical(table)).toEqual(control);
  });

  it('stops after the letter being replayed on Ctrl-C, says how many were done, and the rerun finishes once', async () => {
    const dlq = await tableOfLetters('dlq-interrupt');
    const table = await pipeline.newAggregateTable('agg-interrupt');
    const flags = flagsOf(dlq, table);
    const run = await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [BIN, 'dead-letters', 'replay', '--all', '--page-size', '25', '--progress-every', '10', ...flags],
        { cwd: CLI_CWD, env: { ...cliEnv(), DYNOTALLY_TIMEOUT: '120s' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      let signalled = false;
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        if (!signalled && stderr.includes('letters so far')) {
          signalled = true;
          child.kill('SIGINT');
        }
      });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, run.stderr).toBe(130);
    const said = /SIGINT received: stopped after (\d+) letters \((\d+) replayed/.exec(run.stderr);
    expect(said, run.stderr).not.toBeNull();
    const done = Number(said?.[1]);
    expect(done).toBeGreaterThanOrEqual(10);
    expect(done).toBeLessThan(N);
    expect(Number(said?.[2])).toBe(done);
    expect(rowsOf(run.stdout)).toHaveLength(done);
    expect(await listed(flags)).toHaveLength(N - done);

    const rest = await runDynotally(['dead-letters', 'replay', '--all', '--json', ...flags]);
    expect(rest.code, rest.stderr).toBe(0);
    const results = JSON.parse(rest.stdout).results as Array<{ outcome: string }>;
    expect(results).toHaveLength(N - done);
    expect(results.every((r) => r.outcome === 'replayed')).toBe(true);
    expect(await pipeline.canonical(table)).toEqual(control);
  });
});
