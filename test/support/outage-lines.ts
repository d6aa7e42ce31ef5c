// The terminal lines of a dev stack around an outage of its DynamoDB (a fault proxy resetting every connection):
// waited for, never read after a fixed sleep, so a machine at load 15 (DynamoDB Local and the generators 5-10 times
// slower, a failure seen seconds late) shows the same lines as an idle one, only later.
import type { FaultProxy } from './fault-proxy.ts';

/**
 * Waits until each of `patterns` matches a line of `lines` from index `from` on (polling every 100 ms), or throws after
 * `ms` naming the patterns still missing and the lines seen.
 *
 * @example
 * ```ts
 * proxy.heal();
 * await waitForLines(lines, lines.length, [/^s0 generator: .*again/]);
 * ```
 */
export async function waitForLines(
  lines: readonly string[],
  from: number,
  patterns: readonly RegExp[],
  ms = 120_000,
): Promise<void> {
  const missing = () => patterns.filter((re) => !lines.slice(from).some((l) => re.test(l)));
  const end = performance.now() + ms;
  while (missing().length > 0) {
    if (performance.now() > end)
      throw new Error(
        `no line matched ${missing().join(', ')} within ${ms / 1000} s; the lines:\n${lines.slice(from).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Resets every connection through `proxy` until each of `said` has a line, then `thenMs` more (the outage going on
 * after it was said, where a line per failure would repeat); answers the lines logged from the outage's start. The
 * proxy is left failing: `proxy.heal()` ends the outage.
 *
 * @example
 * ```ts
 * const during = await outage(proxy, lines, { said: [/^s0 generator: write failed/], thenMs: 8_000 });
 * expect(during.filter((l) => /^s0 generator: write failed/.test(l)).length).toBeLessThanOrEqual(2);
 * ```
 */
export async function outage(
  proxy: FaultProxy,
  lines: readonly string[],
  { said, thenMs }: { readonly said: readonly RegExp[]; readonly thenMs: number },
): Promise<string[]> {
  const before = lines.length;
  proxy.setSchedule([{ after: 0, fault: { kind: 'reset' }, requests: 1_000_000 }]);
  await waitForLines(lines, before, said);
  await new Promise((r) => setTimeout(r, thenMs));
  return lines.slice(before);
}
