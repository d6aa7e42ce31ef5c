import { spawn } from 'node:child_process';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_CWD, cliEnv, cliTables, liveCountsBy, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { Applier } from '../../../dynotally/src/apply/index.ts';
import { sampleRecords, scenario } from '../scenarios/generators/index.ts';
import { jobsPerCustomer } from '../scenarios/index.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('dynotally CLI output', () => {
  it('a reader that closes the pipe early (dynotally --help | head -1) ends the CLI quietly with its own exit code', async () => {
    const child = spawn(process.execPath, [BIN, 'query', '--help'], {
      cwd: CLI_CWD,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // the reader is gone before the CLI writes anything (as `| head -1` is after its line, or `| true`)
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

describe('dynotally CLI against DynamoDB Local', () => {
  const clients = testClients();
  const { tables, flags: flagsFor } = cliTables('cli');
  let endpoint = '';
  const tableFlags = () => flagsFor(endpoint);

  beforeAll(async () => {
    endpoint = await ddbReady();
  });
  afterAll(() => clients.destroy());

  it('tables create, then query total --json returns the count of what was applied', {
    timeout: 360_000,
  }, async () => {
    const created = await runDynotally(['tables', 'create', ...tableFlags(), '--json']);
    expect(created.stderr).not.toContain('dynotally:'); // progress lines only
    expect(created.code).toBe(0);
    const report = JSON.parse(created.stdout) as {
      tables: { kind: string; name: string; streamArn?: string }[];
    };
    expect(report.tables.map((t) => [t.kind, t.name])).toEqual([
      ['source', tables.source],
      ['aggregate', tables.aggregate],
      ['dead-letter', tables.deadLetter],
      ['leases', tables.leases],
    ]);
    expect(report.tables[0]?.streamArn).toMatch(/^arn:aws:dynamodb:/);
    // each table exists (described by name: a listing's first page of 100 misses them once the shared DynamoDB
    // Local holds more tables than that)
    for (const name of Object.values(tables)) {
      const described = await clients.ddb.send(new DescribeTableCommand({ TableName: name }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
    }

    // Fold a day of S0 jobs (inserts, status changes, cancellations) into the aggregate table.
    const gen = scenario('s0').create({ seed: 7 });
    const changes = [
      ...gen.history(NOW, 150),
      ...Array.from({ length: 250 }, (_, i) => gen.next(NOW + i * 500)),
    ];
    const applier = new Applier({ client: clients.ddb, table: tables.aggregate, rollups: [jobsPerCustomer] });
    await applier.apply({ records: sampleRecords(changes), shardId: 'shardId-cli-test' });
    const expected = liveCountsBy(changes, 'customerId');

    for (const customer of ['acme', 'globex']) {
      const q = await runDynotally([
        'query',
        'total',
        'jobs',
        '--group',
        `customerId=${customer}`,
        '--from',
        '2026-11-20T00:00:00Z',
        '--to',
        '2026-11-24T00:00:00Z',
        ...tableFlags(),
        '--json',
      ]);
      expect(q.stderr).toBe('');
      expect(q.code).toBe(0);
      const result = JSON.parse(q.stdout) as { values: { jobs: number }; group: unknown; requests: number };
      expect(result.group).toEqual({ customerId: customer });
      expect(result.values.jobs).toBe(expected.get(customer));
      expect(result.values.jobs).toBeGreaterThan(10);
      expect(result.requests).toBeGreaterThan(0);
    }
  });

  it('a bad flag prints one line with the code and the fix, exit code 2', { timeout: 120_000 }, async () => {
    const r = await runDynotally([
      'query',
      'total',
      'jobs',
      '--group',
      'customerId=acme',
      '--last',
      '24h',
      '--bogus',
      ...tableFlags(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "dynotally: [CONFIG_INVALID] unknown option '--bogus' (run 'dynotally query total --help' for the usage)\n",
    );
    expect(r.stdout).toBe('');
  });

  it('a missing table is a runtime error with the fix, exit code 1', { timeout: 120_000 }, async () => {
    const r = await runDynotally([
      'query',
      'total',
      'jobs',
      '--group',
      'customerId=acme',
      '--last',
      '24h',
      '--endpoint',
      endpoint,
      '--table',
      uniqueTableName('cli-missing'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dynotally: \[TABLE_NOT_FOUND\] .*'dynotally tables create'.*\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
