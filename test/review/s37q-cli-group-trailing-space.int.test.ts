// Review s37q (CLI, query commands): a string group value ending in a space could not be named by --group.
// What: the library keys a string exactly ('acme ' and 'acme' are two groups; an item's attribute often carries a
// trailing blank), `query top` and `verify` print such a group as `customerId=acme ` (groupPairs), and docs/cli.md
// calls that "the --group value that names it again". But parseGroup (cli/commands/query-args.ts) trimmed the whole
// pair, so `dynotally query total jobs --group 'customerId=acme ' …` read the group 'acme': another group's counts
// (or zeros), with nothing said. `verify --group` (groupsOf → parseGroup) the same.
// Expected: `--group 'customerId=acme '` reads 'acme ' (5 jobs below); `--json` echoes that group.
// Observed: it read 'acme' (3 jobs) and echoed `"customerId": "acme"`.
// Severity: medium-low (a wrong answer without an error, for data with trailing blanks in group values).
// Fixed: parseGroup trims only the blanks before a key (`a=1, b=2`: the blank after a comma), never a string value;
// a `:n` or `:b` value is still read with its blanks trimmed (as before). docs/cli.md says so.
// Break-check: with `pair.trim()` back in parseGroup both tests fail (parsed and echoed group { customerId: 'acme' }).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { GroupValue } from '../../packages/dynotally/src/definition/index.ts';
import { groupPairs, parseGroup } from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { groupsOf } from '../../packages/dynotally-cli/src/cli/commands/verify.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { jobsPerCustomer } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { cliTables } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';

const clients = testClients();
afterAll(() => clients.destroy());

describe('a --group string value with blanks at its end', () => {
  it('is taken exactly, as top and verify print it', () => {
    const groups: Record<string, GroupValue>[] = [
      { customerId: 'acme ' },
      { customerId: ' acme\t' },
      { name: 'Bar, ', year: 2026 },
    ];
    for (const group of groups) expect(parseGroup([groupPairs(group)])).toEqual(group);
    expect(groupsOf(['customerId=acme ', 'customerId=acme'])).toEqual([
      { customerId: 'acme ' },
      { customerId: 'acme' },
    ]);
    // blanks before a key still go (a comma-separated list written with spaces), and around numbers and booleans
    expect(parseGroup(['storeId=s-1, year:n=2026 , open:b=true '])).toEqual({
      storeId: 's-1',
      year: 2026,
      open: true,
    });
  });

  it('reads that group, not the trimmed one', { timeout: 120_000 }, async () => {
    const endpoint = await ddbReady();
    const tables = cliTables('s37q-blank');
    const created = fakeIo();
    expect(await runCli(['tables', 'create', ...tables.flags(endpoint)], created), created.err).toBe(0);
    const t = Date.UTC(2026, 10, 22, 12, 0);
    const customers = ['acme', 'acme', 'acme', 'acme ', 'acme ', 'acme ', 'acme ', 'acme '];
    const records: DynamoDBRecord[] = customers.map((customerId, i) => ({
      eventID: `e${i}`,
      eventName: 'INSERT',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
      dynamodb: {
        SequenceNumber: String(i + 1).padStart(21, '0'),
        ApproximateCreationDateTime: Math.floor(t / 1000),
        NewImage: {
          id: { S: `j${i}` },
          type: { S: 'job' },
          customerId: { S: customerId },
          createdAt: { N: String(t + i * 1000) },
        },
      },
    }));
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table: tables.tables.aggregate,
      rollups: [jobsPerCustomer],
      now: () => t + 60_000,
    });
    expect((await applier.apply({ records, shardId: 'shardId-1' })).poison).toEqual([]);
    const io = fakeIo();
    const code = await runCli(
      [
        'query',
        'total',
        'jobs',
        '--group',
        'customerId=acme ',
        '--last',
        '1h',
        '--at',
        new Date(t + 60_000).toISOString(),
        '--json',
        ...tables.flags(endpoint),
      ],
      io,
    );
    expect(code, io.err).toBe(0);
    const out = JSON.parse(io.out) as { group: unknown; values: { jobs: number } };
    expect(out.group).toEqual({ customerId: 'acme ' });
    expect(out.values.jobs).toBe(5);
  });
});
