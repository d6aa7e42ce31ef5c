// Review s29q (CLI, query series): `--round` was dropped from an explicit series window.
// Finding: `dynotally query series store --group storeId=s-1 --granularity day --from 2026-11-02T12:00:00Z
// --to 2026-11-05T12:00:00Z --round inward` printed 4 days (2–5 November: every day the instants touch), as without
// --round, instead of the 2 whole days inside the window (3 and 4 November) that the library's series answers for
// `{ granularity: 'day', window: { from, to, round: 'inward' } }`. --round was accepted, so nothing said it did not apply.
// Mechanism: query-series.ts turned any --from/--to window into the `{ granularity, from, to }` series spec (the
// buckets overlapping the instants), which has no rounding, and left the window's `round` out.
// Fix: with --round, the series is `{ granularity, window: { from, to, round } }` (the window rounded as a total's is,
// to the finest granularity kept: for S4, days); without it, `{ granularity, from, to }` as before.
// Break-check: with `&& flags.round === undefined` removed from query-series.ts the inward case prints 4 points.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { cliTables } from '../support/cli.ts';
import { ddbReady } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('query series --from/--to --round', () => {
  it('rounds the window as asked; without --round the overlapping buckets', {
    timeout: 120_000,
  }, async () => {
    const endpoint = await ddbReady();
    const tables = cliTables('s29q-round');
    const created = fakeIo();
    expect(await runCli(['tables', 'create', ...tables.flags(endpoint)], created), created.err).toBe(0);
    const days = async (round: string[]): Promise<string[]> => {
      const io = fakeIo();
      const code = await runCli(
        [
          'query',
          'series',
          'store',
          '--group',
          'storeId=s-1',
          '--granularity',
          'day',
          '--from',
          '2026-11-02T12:00:00Z',
          '--to',
          '2026-11-05T12:00:00Z',
          ...round,
          '--json',
          ...tables.flags(endpoint),
        ],
        io,
      );
      expect(code, io.err).toBe(0);
      return (JSON.parse(io.out) as { points: Array<{ label: string }> }).points.map((p) => p.label);
    };
    expect(await days(['--round', 'inward'])).toEqual(['D2026-11-03', 'D2026-11-04']);
    expect(await days(['--round', 'outward'])).toEqual([
      'D2026-11-02',
      'D2026-11-03',
      'D2026-11-04',
      'D2026-11-05',
    ]);
    expect(await days([])).toEqual(['D2026-11-02', 'D2026-11-03', 'D2026-11-04', 'D2026-11-05']);
  });
});
