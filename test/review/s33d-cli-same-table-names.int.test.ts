// Review s33d (CLI input): one table name given for two roles (`--table orders --source-table orders`, or the
// dead-letter / lease table named as the aggregate table) is not refused; `tables create` goes ahead.
// Nothing in the settings (packages/dynotally-cli/src/cli/config/, ctx.settings) compares the four table names.
// Against DynamoDB Local, `dynotally tables create --table same1 --source-table same1` first creates 'same1' as a
// source table, then fails with "[TABLE_SCHEMA_MISMATCH] table 'same1' exists with a schema dynotally cannot use
// ... delete the table and let dynotally create it (its data is lost)", exit 1: it leaves a table behind and, when
// the name was the user's real source table (a flag mix-up), its advice is to delete that table. `--table agg2
// --dead-letter-table agg2` fails the same way after creating 'agg2'.
// Observed: the command goes on to DynamoDB (here a closed port: ENDPOINT_UNREACHABLE, exit 1).
// Expected: CONFIG_INVALID (exit 2) before any call, naming the two flags that share a name.
// Fixed (helper-152): ctx.settings(globals, uses) refuses a name shared by two of the tables the command uses
// (config/distinct-tables.ts); a command is not refused for tables it does not touch.
// Suggested fix: when the settings are resolved, refuse two roles (aggregate, source, dead-letter, lease, claim)
// with the same table name, e.g. "--table and --source-table both name 'orders': they must be different tables".
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('one table name for two roles', () => {
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  // Defect: the same name for two tables is not refused; the command goes on to create tables.
  it.each([
    [['--table', 'same-t1', '--source-table', 'same-t1']],
    [['--table', 'same-t2', '--dead-letter-table', 'same-t2']],
  ])('tables create %j is CONFIG_INVALID before any call', async (names) => {
    const io = fakeIo();
    const code = await runCli(
      ['tables', 'create', ...names, '--endpoint', endpoint, '--timeout', '1s', '--region', 'us-east-1'],
      io,
    );
    expect(io.err).toContain('[CONFIG_INVALID]');
    expect(io.err).toContain(names[2] === '--source-table' ? '--source-table' : '--dead-letter-table');
    expect(io.err).toContain('--table');
    expect(code).toBe(2);
  });

  it('backfill --claim-table naming the aggregate table is CONFIG_INVALID before any call', async () => {
    const io = fakeIo();
    const code = await runCli(
      ['backfill', 'jobs', '--claim-table', 'dynotally-aggregates', '--endpoint', endpoint].concat([
        '--timeout',
        '1s',
        '--region',
        'us-east-1',
      ]),
      io,
    );
    expect(io.err).toContain('[CONFIG_INVALID]');
    expect(io.err).toContain('--claim-table');
    expect(code).toBe(2);
  });

  it.each([
    [
      [
        'query',
        'total',
        'jobs',
        '--group',
        'customerId=acme',
        '--last',
        '1h',
        '--source-table',
        'same-t4',
        '--lease-table',
        'same-t4',
      ],
    ],
    [['tables', 'create', '--no-source', '--table', 'same-t3', '--source-table', 'same-t3']],
  ])('%j: a clash among tables the command does not use is not refused', async (args) => {
    const io = fakeIo();
    const code = await runCli(
      [...args, '--endpoint', endpoint, '--timeout', '1s', '--region', 'us-east-1'],
      io,
    );
    expect(io.err).not.toContain('[CONFIG_INVALID]');
    expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
    expect(code).toBe(1);
  });
});
