// Review s33d (CLI input): `query total|series` without --group names the wrong rollup's group, and an unknown rollup
// is reported as a missing --group.
// query-total.ts:25 and query-series.ts:25 give the flag schema one fixed hint ('give the group, e.g. --group
// customerId=acme' / '... deviceId=meter-01'), checked before the rollup is looked up. So `dynotally query total
// energy --last 1h` (energy groups by deviceId) is told to add `--group customerId=acme`, which it then refuses with
// GROUP_INVALID; and `dynotally query total nosuch --last 1h` (a typo'd rollup) is told to add a --group rather than
// that no rollup 'nosuch' exists (UNKNOWN_ROLLUP, with the known names, as it says once a --group is given).
// Observed: "[CONFIG_INVALID] query total: --group: give the group, e.g. --group customerId=acme" for both.
// Expected: the hint names the rollup's own groupBy (deviceId for energy); an unknown rollup is UNKNOWN_ROLLUP.
// Fixed (helper-152): --group is checked after the rollup is resolved (missing-group.ts, via checkQueryTarget), its
// example built from the rollup's groupBy; query latest had the same fixed hint and is fixed too.
// Suggested fix: make --group optional in the zod schema and check it after the rollup is resolved (as
// checkQueryTarget does for wrong keys), building the example from the rollup's groupBy.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('query without --group', () => {
  // Defect: the hint is a fixed example from another rollup (customerId), not energy's deviceId.
  it("query total energy --last 1h names energy's group (deviceId) in its hint", async () => {
    const io = fakeIo();
    const code = await runCli(['query', 'total', 'energy', '--last', '1h'], io);
    expect(code).toBe(2);
    expect(io.err).toContain('deviceId');
  });

  // Defect: the missing --group is reported before the unknown rollup.
  it('query total nosuch --last 1h is UNKNOWN_ROLLUP, not a missing --group', async () => {
    const io = fakeIo();
    const code = await runCli(['query', 'total', 'nosuch', '--last', '1h'], io);
    expect(code).toBe(2);
    expect(io.err).toContain('[UNKNOWN_ROLLUP]');
  });

  it.each([['series', '--granularity', 'hour'], ['latest']])(
    'query %s energy without --group names deviceId too',
    async (command, ...rest) => {
      const io = fakeIo();
      const window = command === 'latest' ? [] : ['--last', '1h'];
      const code = await runCli(['query', command, 'energy', ...rest, ...window], io);
      expect(code).toBe(2);
      expect(io.err).toContain('[CONFIG_INVALID]');
      expect(io.err).toContain('--group deviceId=<value>');
    },
  );
});
