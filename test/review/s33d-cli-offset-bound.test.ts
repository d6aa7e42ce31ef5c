// Review s33d (CLI input): `--calendar month --offset 99999999999` is refused with a message that says the offset
// "must be a whole number", which it is; the real rule (at most 100,000 periods either way, MAX_PERIODS) is unsaid.
// packages/dynotally/src/query/resolve-window.ts:287-293 throws one message for a non-integer and for an offset past
// MAX_PERIODS, so a user who reaches the bound (a script computing an offset) is told something false and not
// what to change.
// Observed: "[QUERY_INVALID] calendar offset 99999999999 must be a whole number: 0 for the current month, -1 for the
// previous one".
// Expected: a message naming the bound, e.g. "calendar offset 99999999999 is more than 100000 months away".
// Fixed (helper-152): calendarWindow gives an offset past MAX_PERIODS its own message naming the limit.
// Suggested fix: split the check in calendarWindow: non-integer keeps today's text; |offset| > MAX_PERIODS gets
// its own message with the limit (the CLI's --last-days already says "expected number to be <=100000").
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('query --calendar --offset past the bound', () => {
  // Defect: the message claims a whole number is not whole, and does not name the limit.
  it('names the 100000-period limit rather than claiming the offset is not whole', async () => {
    const io = fakeIo();
    const code = await runCli(
      [
        'query',
        'total',
        'jobs',
        '--group',
        'customerId=acme',
        '--calendar',
        'month',
        '--offset',
        '99999999999',
      ],
      io,
    );
    expect(code).toBe(2);
    expect(io.err).toMatch(/100[,_ ]?000/);
    expect(io.err).not.toContain('must be a whole number');
  });
});
