// s31 follow-up: `dynotally query top`'s GROUP column names a group as the --group value that names it again (pairs
// joined by commas, as `verify` prints groups; s31-query-top-group-roundtrip.test.ts), but `query total`'s header
// still joined a multi-attribute group's pairs with spaces. Copied back into --group, `storeId=s-1 year:n=2026` is
// read as ONE string pair (storeId = 's-1 year:n=2026'), a group that does not exist. Fixed: the header prints the
// group through groupPairs, which now joins with commas only. The first test failed before; the second pins the
// string/number distinction (`accountId=7` vs `accountId:n=7`), which the header kept already.
import type { WindowInfo } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { parseGroup } from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { totalHeading } from '../../packages/dynotally-cli/src/cli/commands/query-total.ts';

const window = {
  description: 'all time',
  zone: 'UTC',
  fromIso: null,
  toIso: null,
} as unknown as WindowInfo;

/** The group as the header prints it: between `<rollup> ` and `, all time`. */
function printedGroup(rollup: string, group: Record<string, string | number>): string {
  const heading = totalHeading(rollup, group, window);
  expect(heading.startsWith(`${rollup} `)).toBe(true);
  expect(heading.endsWith(', all time (UTC)')).toBe(true);
  return heading.slice(rollup.length + 1, -', all time (UTC)'.length);
}

describe('query total header given back to --group', () => {
  it('names the same multi-attribute group, numbers as numbers', () => {
    const group = { storeId: 's-1', year: 2026 };
    const printed = printedGroup('orders', group);
    expect(printed).toBe('storeId=s-1,year:n=2026');
    expect(parseGroup([printed])).toEqual(group);
  });

  it('keeps the string 7 apart from the number 7', () => {
    expect(printedGroup('acct', { accountId: '7' })).toBe('accountId=7');
    expect(printedGroup('acct', { accountId: 7 })).toBe('accountId:n=7');
    expect(parseGroup([printedGroup('acct', { accountId: 7 })])).toEqual({ accountId: 7 });
  });
});
