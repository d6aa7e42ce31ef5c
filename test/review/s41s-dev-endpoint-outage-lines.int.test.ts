// Review s41s (dev stack): with `--endpoint` (a DynamoDB the user runs), an outage of that DynamoDB floods the
// terminal: every failed write of every generator is a line of its own (`s0 generator: write failed: …`, --rate
// lines a second per scenario), the freshness probe's failed reads too, for as long as the outage lasts, so the
// first line (the one that says what is wrong) scrolls away within seconds and nothing says when writes go through
// again. The stack rightly goes on (the DynamoDB is the user's and may come back), but it need not shout.
// Observed: 8 s of an unreachable endpoint (every connection reset by a proxy in front of DynamoDB Local) at --rate 5
// printed dozens of `s0 generator: write failed` lines.
// Expected: per source, the first failure at once, then at most one line a minute with the count; one line when
// its writes go through again; a failure of another kind is still said at once (unit test: repeated-lines.test.ts).
// Fixed (s41s): dev/repeated-lines.ts, used by dev-stack.ts for the generators' write failures, the freshness
// probe's read failures and the worker's warnings.
import { afterAll, describe, expect, it } from 'vitest';
import { type DevStack, startDevStack } from '../../packages/dynotally-cli/src/dev/index.ts';
import { ddbReady, stackTables } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { outage, waitForLines } from '../support/outage-lines.ts';

describe('an outage of the DynamoDB given with --endpoint', () => {
  let stack: DevStack | undefined;
  let proxy: FaultProxy | undefined;
  afterAll(async () => {
    proxy?.heal();
    await stack?.stop();
    await proxy?.close();
  });

  it('says each source’s failure once (then once a minute with a count) and says when it recovers', async () => {
    const lines: string[] = [];
    proxy = await startFaultProxy({ target: await ddbReady() });
    stack = await startDevStack({
      endpoint: proxy.endpoint,
      tables: stackTables('s41s-outage'),
      port: 0,
      rate: 5,
      scenarios: ['s0', 's2'],
      history: 0,
      log: (l) => lines.push(l),
    });
    // the outage: waited for until s0's failure is said, then 8 s more of it (about 40 failed writes per generator)
    const during = await outage(proxy, lines, { said: [/^s0 generator: write failed/], thenMs: 8_000 });
    const count = (re: RegExp) => during.filter((l) => re.test(l)).length;
    // it is said (the outage is not hidden) …
    expect(count(/^s0 generator: write failed/)).toBeGreaterThanOrEqual(1);
    // … but once per source, not once per write
    expect(count(/^s0 generator: write failed/)).toBeLessThanOrEqual(2);
    expect(count(/^s2 generator: write failed/)).toBeLessThanOrEqual(2);
    expect(count(/^freshness probe:/)).toBeLessThanOrEqual(2);
    expect(during.length, during.join('\n')).toBeLessThan(15);
    proxy.heal();
    const healedAt = lines.length;
    await waitForLines(lines, healedAt, [/^s0 generator: .*again/]);
    expect(lines.slice(healedAt).join('\n')).toMatch(
      /^s0 generator: writes go through again after \d+ failed/m,
    );
  });
});
