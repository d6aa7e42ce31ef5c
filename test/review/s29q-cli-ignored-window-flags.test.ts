// Review s29q (CLI, query commands): window flags the chosen window does not take were accepted and ignored, so the
// answer was for another window than the command line names, with nothing said.
// Finding: `dynotally query total store --group storeId=s-1 --last-days 7 --offset -1` printed the last 7 days up to
// today (as without --offset), not the 7 before; `--from … --to … --at …` dropped --at; `query top favourites
// --bucket M2026-11 --offset -1` ranked November, not October (and `--bucket all --offset -1` all time). Session 19
// already refused `--round` without `--from` for the same reason ("--round with --last was accepted and ignored").
// Mechanism: windowFromFlags (cli/commands/query-args.ts) read `offset` only for --calendar and `at` only for the
// windows that have a "now"; --offset had a default ('0'), so a given --offset could not even be told from none;
// query top used --offset only with a calendar --bucket.
// Fix: --offset has no default (a missing one is 0 where it applies); given without --calendar (query total /
// series) or with a --bucket that is not day, week, month or year (query top) it is CONFIG_INVALID, and so is --at
// with --from/--to; all before any read (exit 2).
// Break-check: with windowFromFlags' two new checks removed the total/series cases exit 1 (the query goes on to the
// closed endpoint); with query top's check removed its cases do.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  windowFlagsSchema,
  windowFromFlags,
} from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('window flags the window does not take', () => {
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it.each([
    [
      ['query', 'total', 'store', '--group', 'storeId=s-1', '--last-days', '7', '--offset', '-1'],
      /--offset -1/,
    ],
    [['query', 'total', 'jobs', '--group', 'customerId=a', '--last', '24h', '--offset', '0'], /--offset 0/],
    [
      [
        'query',
        'series',
        'store',
        '--group',
        'storeId=s-1',
        '--granularity',
        'day',
        '--from',
        '2026-11-01T00:00:00Z',
        '--to',
        '2026-11-08T00:00:00Z',
        '--at',
        '2026-10-01T00:00:00Z',
      ],
      /--at/,
    ],
    [['query', 'top', 'favourites', '--bucket', 'M2026-11', '--offset', '-1'], /--bucket M2026-11/],
    [['query', 'top', 'favourites', '--bucket', 'all', '--offset', '-1'], /--bucket all/],
  ])('%j is CONFIG_INVALID before any read', async (args, message) => {
    const io = fakeIo();
    const code = await runCli([...args, '--endpoint', endpoint], io);
    expect(io.err).toMatch(/\[CONFIG_INVALID\]/);
    expect(io.err).toMatch(message);
    expect(code).toBe(2);
  });

  it('--offset still moves a calendar window and a calendar --bucket; it defaults to 0', async () => {
    const w = (f: Record<string, unknown>) => windowFromFlags(windowFlagsSchema.parse(f));
    expect(w({ calendar: 'month', offset: '-1' })).toEqual({ calendar: 'month', offset: -1 });
    expect(w({ calendar: 'month' })).toEqual({ calendar: 'month', offset: 0 });
    expect(w({ lastDays: '7', at: '1795439100000' })).toEqual({ lastDays: 7, at: 1795439100000 });
    for (const args of [
      ['query', 'top', 'favourites', '--bucket', 'month', '--offset', '-1'],
      ['query', 'total', 'store', '--group', 'storeId=s-1', '--calendar', 'month', '--offset', '-1'],
    ]) {
      const io = fakeIo();
      const code = await runCli([...args, '--endpoint', endpoint], io);
      expect(io.err).not.toMatch(/CONFIG_INVALID/);
      expect(code).toBe(1); // on to the closed endpoint
    }
  });
});
