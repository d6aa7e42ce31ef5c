// Review s38u (CLI, query total): `dynotally query total <rollup> --group … --all --at <instant>` answered all time,
// events after <instant> included, with nothing said: windowFromFlags (cli/commands/query-args.ts) attached --at to
// every window that has a "now" and dropped it for --all, while docs/cli.md says a flag the window does not take is
// CONFIG_INVALID, not ignored (as --at with --from/--to already was, review s29q).
// Observed: `query total orders --group storeId=s-1 --all --at 2020-01-01T00:00Z` printed the 2026 orders, exit 0.
// Decision: refused, not honoured. The all-time window is the `all` bucket, which holds every instant: there is no
// "all time up to --at" row to read (that is an explicit window, --from … --to <instant>). `query top` keeps taking
// --at beside its default bucket all (review s37q: the bucket is not chosen there, --at moves the others).
// Fixed: windowFromFlags refuses --at with --all (CONFIG_INVALID, exit 2, before any read), saying what to give.
// Break-check: with that check removed, `total` goes on to the closed endpoint (exit 1, ENDPOINT_UNREACHABLE) and
// `series` is refused by the library for --all alone (QUERY_INVALID 'a series needs a finite window'), not for --at.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  windowFlagsSchema,
  windowFromFlags,
} from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('query total / series: --at with --all', () => {
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it.each([
    ['total', 'energy', '--group', 'deviceId=meter-01'],
    ['series', 'energy', '--group', 'deviceId=meter-01', '--granularity', 'day'],
  ])('query %s … --all --at is CONFIG_INVALID before any read', async (...args) => {
    const io = fakeIo();
    const code = await runCli(
      ['query', ...args, '--all', '--at', '2020-01-01T00:00:00Z', '--reference', '--endpoint', endpoint],
      io,
    );
    expect(io.err).toMatch(/\[CONFIG_INVALID\] --at/);
    expect(io.err).toContain('--all');
    expect(io.err).toContain('--from');
    expect(code).toBe(2);
  });

  it('--all alone, and --at with the windows that have a "now", are taken as before', () => {
    const w = (f: Record<string, unknown>) => windowFromFlags(windowFlagsSchema.parse(f));
    expect(w({ all: true })).toBe('all');
    expect(w({ lastYears: '2', at: '1795439100000' })).toEqual({ lastYears: 2, at: 1795439100000 });
    expect(() => w({ all: true, at: '2020-01-01T00:00:00Z' })).toThrow(/--at/);
  });
});
