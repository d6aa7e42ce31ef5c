// Review s42n: the first screen's `query it` line (`dynotally dev --scenarios none`) for a configuration whose first
// rollup is grouped by a plain function (`groupBy: (item) => ({ … })`, its attributes known per item only) printed
// `query total <rollup> --last-days 7 …` with no `--group`: run as printed, query refused it (`CONFIG_INVALID`, exit 2,
// `--group: rollup … groups by a function without declared names`). s41b ran the declared-names case only.
// Expected: every printed line runs as printed (here: passes every check of its flags, rollup, group and window and
// ends ENDPOINT_UNREACHABLE against a port where nothing listens, or prints the help).
// Fixed (s42n): first-screen.ts, for a plain groupBy function, `query top <rollup>` when its leaderboard keeps all
// time, else `--group '<attribute>=<value>'` to fill in.
// Break-check: with first-screen.ts's plain-function branch removed (the group list empty again), the three cases
// fail at their `toContain`; with that expectation also left out, each printed line exits 2 with CONFIG_INVALID
// (`--group: rollup 'plain' groups by a function without declared names …`), as the review found.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import type { DevStack } from '../../packages/dynotally-cli/src/dev/dev-stack.ts';
import { firstScreen } from '../../packages/dynotally-cli/src/dev/first-screen.ts';
import { fakeIo } from '../support/fake-io.ts';
import { tempDir } from '../support/temp-dir.ts';

const CLOSED = 'http://127.0.0.1:9';
const LIBRARY = join(import.meta.dirname, '..', '..', 'packages', 'dynotally', 'src', 'index.ts');
const fn = `(item) => (typeof item.pk === 'string' ? { tenant: item.pk.split('#')[0] ?? '' } : undefined)`;
const CONFIG = `import { count, defineRollup } from ${JSON.stringify(LIBRARY)};
const time = { attribute: 't', format: 'epoch-millis' };
export default {
  rollups: [
    defineRollup({ name: 'plain', groupBy: ${fn}, time, granularities: ['day', 'all'], measures: { n: count() } }),
    defineRollup({ name: 'ranked', groupBy: ${fn}, time, granularities: ['day', 'all'], measures: { n: count() },
      leaderboard: { measure: 'n', granularities: ['all'] } }),
    defineRollup({ name: 'monthly', groupBy: ${fn}, time, granularities: ['month'], measures: { n: count() },
      leaderboard: { measure: 'n', granularities: ['month'] } }),
  ],
};
`;
const groupBy = (item: Record<string, unknown>) =>
  typeof item.pk === 'string' ? { tenant: item.pk.split('#')[0] ?? '' } : undefined;
const time = { attribute: 't', format: 'epoch-millis' } as const;
// the same definitions, for the stack the first screen describes
const ROLLUPS = {
  plain: defineRollup({
    name: 'plain',
    groupBy,
    time,
    granularities: ['day', 'all'],
    measures: { n: count() },
  }),
  ranked: defineRollup({
    name: 'ranked',
    groupBy,
    time,
    granularities: ['day', 'all'],
    measures: { n: count() },
    leaderboard: { measure: 'n', granularities: ['all'] },
  }),
  monthly: defineRollup({
    name: 'monthly',
    groupBy,
    time,
    granularities: ['month'],
    measures: { n: count() },
    leaderboard: { measure: 'n', granularities: ['month'] },
  }),
};

/** The words of the first screen's `query it` line, as a shell reads them (single quotes only). */
const queryHint = (screen: string): string[] => {
  const line = screen.split('\n').find((l) => l.startsWith('  query it')) ?? '';
  return (line.replace('  query it', '').match(/(?:'[^']*'|[^\s'])+/g) ?? []).map((w) =>
    w.replaceAll("'", ''),
  );
};

/** The first screen of `dev --scenarios none` over `rollups` (the configuration's, first one first). */
const screenOver = (rollups: readonly unknown[]): string =>
  firstScreen({
    url: 'http://127.0.0.1:4700',
    dashboard: { pageUrl: 'http://127.0.0.1:4700', port: 4700, beyondLoopback: false },
    endpoint: CLOSED,
    dynamoDbLocal: undefined,
    scenarios: [],
    tables: { source: 'src', aggregate: 'fn-aggregates', deadLetter: 'dl', leases: 'leases' },
    rollups,
    runner: { stats: () => [] },
    workerStats: () => ({ workerId: 'w-1', shards: [{ shardId: 'shard-1' }] }),
    s4: { mode: 'direct', describe: '', workerOptions: undefined },
  } as unknown as DevStack);

describe("the first screen's query line for a rollup grouped by a plain function", () => {
  it.each([
    ['plain', "query total plain --group '<attribute>=<value>' --last-days 7 --endpoint"],
    ['ranked', 'query top ranked --endpoint'],
    ['monthly', "query total monthly --group '<attribute>=<value>' --calendar month --endpoint"],
  ] as const)('%s: runs as printed', { timeout: 60_000 }, async (name, printed) => {
    const dir = tempDir('dynotally-s42n-first-screen-');
    writeFileSync(join(dir, 'dynotally.config.ts'), CONFIG);
    const screen = screenOver([ROLLUPS[name]]);
    expect(screen).toContain(printed);
    const io = fakeIo({ cwd: dir });
    expect(await runCli(queryHint(screen).slice(2), io), io.err).toBe(1);
    expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
  });

  it('without a rollup, the help, which runs as printed too', async () => {
    const screen = screenOver([]);
    expect(queryHint(screen)).toEqual(['npx', 'dynotally', 'query', '--help']);
    const io = fakeIo({ cwd: tempDir('dynotally-s42n-first-screen-') });
    expect(await runCli(queryHint(screen).slice(2), io)).toBe(0);
  });
});
