// Review s19 (CLI input handling): a query given the same --group key twice reads the last value, silently.
// parseGroup (commands/query-args.ts) writes each pair into one object, so `dynotally query total jobs --group
// customerId=acme --group customerId=globex --last 24h` (or `--group customerId=acme,customerId=globex`) queries
// { customerId: 'globex' } alone and prints its count under a command line that also names acme. The same spelling
// means two groups in `dynotally verify` (docs/cli.md: "repeat the key for more groups: --group storeId=s-1 --group
// storeId=s-2"; verify.ts groupsOf), so a user who learnt it there gets one group's number from `query total`,
// `query series` and `query latest`, with nothing said. checkQueryTarget only compares the keys with the rollup's
// groupBy, so it cannot see the lost value; the query then goes on to read DynamoDB.
// Observed: the query is not refused: it goes on to read (here from an endpoint that refuses connections, so it
// ends with that error, exit 1); parseGroup(['customerId=acme', 'customerId=globex']) is { customerId: 'globex' }.
// Expected: CONFIG_INVALID (exit 2) before any read, naming the key given twice, e.g. "--group customerId is given
// twice (acme, globex): a query reads one group; run it once per group (dynotally verify takes several)".
// Suggested fix: in query total / series / latest, refuse a key that parseGroup has already seen (parseGroup could
// report repeats, and verify's groupsOf keep splitting them into groups).
// Fixed (session 19): parseGroup refuses a key given twice with CONFIG_INVALID ("--group customerId is given twice
// (acme, globex): a query reads one group; …") before any read; verify's groupsOf parses pair by pair, so a repeated
// key still starts its next group there (comma-separated too); this was the review's it.fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('a query given one --group key twice', () => {
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it.each([
    [
      [
        'query',
        'total',
        'jobs',
        '--group',
        'customerId=acme',
        '--group',
        'customerId=globex',
        '--last',
        '24h',
      ],
    ],
    [['query', 'total', 'jobs', '--group', 'customerId=acme,customerId=globex', '--last', '24h']],
    [
      [
        'query',
        'series',
        'store',
        '--group',
        'storeId=store-001',
        '--group',
        'storeId=store-002',
        '--granularity',
        'day',
        '--last-days',
        '7',
      ],
    ],
    [['query', 'latest', 'energy', '--group', 'deviceId=meter-01', '--group', 'deviceId=meter-02']],
  ])('%j is CONFIG_INVALID before any read, not the last value', async (args) => {
    const io = fakeIo();
    const code = await runCli([...args, '--endpoint', endpoint], io);
    expect(io.err).toMatch(/\[CONFIG_INVALID\] .*--group .*twice/);
    expect(code).toBe(2);
  });

  it('a --group with another key of the same rollup is still refused as before (GROUP_INVALID)', async () => {
    const io = fakeIo();
    const code = await runCli(
      ['query', 'total', 'jobs', '--group', 'customerId=acme', '--group', 'storeId=x', '--last', '24h'],
      io,
    );
    expect(io.err).toContain('[GROUP_INVALID]');
    expect(code).toBe(2);
  });
});
