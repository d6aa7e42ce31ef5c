import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rollup } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { DEFAULT_TABLES } from '../cli/config/settings.ts';
import { runCli } from '../cli/run-cli.ts';
import { referenceRollups, SCENARIOS, scenario } from '../scenarios/index.ts';
import type { DevStack } from './dev-stack.ts';
import { configFlagsOf, firstScreen } from './first-screen.ts';

const CLI_ROOT = join(import.meta.dirname, '..', '..');
// nothing listens there: a hint that passes every check of its flags, rollup, group and window ends unreachable
const CLOSED = 'http://127.0.0.1:9';

/** The stack of `dev --scenarios <ids>` (or `none` without a configuration: the reference rollups, no generator). */
function scenarioStack(ids: readonly string[], rollups?: readonly Rollup[]): DevStack {
  return {
    ...stackOn(CLOSED),
    dynamoDbLocal: { pid: 1 },
    scenarios: ids,
    rollups: rollups ?? ids.map((id) => scenario(id).rollup),
    runner: { stats: () => ids.map((id) => ({ id, rate: 2, total: 0 })) },
  } as unknown as DevStack;
}

/** The `query it` line's command, as a shell splits it (single quotes removed). */
function queryHint(screen: string): string[] {
  const line = screen.split('\n').find((l) => l.startsWith('  query it'));
  // shell words: runs of single-quoted text, backslash escapes and other non-blank characters, unquoted
  const words = ((line ?? '').replace('  query it', '').match(/(?:'[^']*'|\\.|[^\s'\\])+/g) ?? []).map((w) =>
    w.replace(
      /'([^']*)'|\\(.)/g,
      (_m, quoted: string | undefined, escaped: string | undefined) => quoted ?? escaped ?? '',
    ),
  );
  expect(words.slice(0, 2)).toEqual(['npx', 'dynotally']);
  return words.slice(2);
}

/** The fields firstScreen reads, for a stack over your own rollups on a DynamoDB it did not start. */
function stackOn(endpoint: string): DevStack {
  return {
    url: 'http://127.0.0.1:4700',
    dashboard: { pageUrl: 'http://127.0.0.1:4700', port: 4700, beyondLoopback: false },
    endpoint,
    dynamoDbLocal: undefined,
    scenarios: [],
    historyEvents: 0,
    tables: {
      source: 'orders',
      aggregate: 'orders-aggregates',
      deadLetter: 'orders-dead-letters',
      leases: 'orders-leases',
    },
    rollups: [
      {
        compiled: {
          name: 'orders',
          groupAttributes: ['storeId'],
          groupNames: ['storeId'],
          granularities: [
            { kind: 'day', id: 'day' },
            { kind: 'all', id: 'all' },
          ],
        },
      },
    ],
    runner: { stats: () => [] },
    workerStats: () => ({ workerId: 'w-1', shards: [{ shardId: 'shard-1' }] }),
    s4: { mode: 'direct', describe: '', workerOptions: undefined },
  } as unknown as DevStack;
}

describe('firstScreen', () => {
  it('says where a DynamoDB the stack did not start comes from: a flag, the environment or the config file', () => {
    // `dev --scenarios none -c dynotally.config.ts` with `endpoint` in the configuration said "given with
    // --endpoint", though no flag was given.
    const screen = firstScreen(stackOn('http://127.0.0.1:8000'));
    expect(screen).toContain(
      "  DynamoDB    http://127.0.0.1:8000 (yours, not started here: --endpoint, DYNOTALLY_ENDPOINT or the configuration's endpoint)",
    );
    expect(screen).toContain(
      "npx dynotally query total orders --group 'storeId=<value>' --last-days 7 --endpoint http://127.0.0.1:8000 --table orders-aggregates",
    );
  });

  it('says when another worker holds the shards, which then fold elsewhere', () => {
    // `dev --scenarios none` beside the guide's `dynotally worker` (same lease table) said "the source table's
    // stream has 0 shards" and then read no record, without saying why
    const stack = stackOn('http://127.0.0.1:8000');
    const busy = {
      ...stack,
      workerStats: () => ({ workerId: 'w-2', shards: [], heldByOthers: 1 }),
    } as unknown as DevStack;
    expect(firstScreen(busy)).toContain(
      "the source table's stream has 1 shard\n              1 shard of them leased by another worker on orders-leases (a 'dynotally worker' still running?), which folds their records instead of this stack\n",
    );
    expect(firstScreen(stack)).not.toContain('leased by another worker');
  });

  it('prints a query that runs as printed: a group the generator writes, a window the rollup keeps', {
    timeout: 120_000,
  }, async () => {
    // `dev --scenarios s0,s4` printed `query total jobs --group customerId=… --all`: no such customer, and jobs keeps
    // no all-time bucket (WINDOW_NOT_SERVABLE, exit 2)
    const screen = firstScreen(scenarioStack(['s0', 's4']));
    expect(screen).toContain(
      `query it    npx dynotally query total jobs --group customerId=acme --last 24h --endpoint ${CLOSED} --table orders-aggregates --reference\n`,
    );
    const written = new Set(
      scenario('s0')
        .create({ seed: 1 })
        .history(Date.now(), 200)
        .map((c) => c.group),
    );
    expect(written).toContain('acme');
    const io = fakeIo({ cwd: CLI_ROOT });
    expect(await runCli(queryHint(screen), io)).toBe(1);
    expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
  });

  it.each(referenceRollups.map((r) => [r.compiled.name, r] as const))(
    'the hint over reference rollup %s (dev --scenarios none, no configuration) runs as printed',
    {
      timeout: 120_000,
    },
    async (_name, rollup) => {
      const screen = firstScreen(scenarioStack([], [rollup]));
      const args = queryHint(screen);
      const info = SCENARIOS.find((s) => s.rollup === rollup);
      for (const [attr, value] of Object.entries(info?.exampleGroup ?? {}))
        expect(args).toContain(`${attr}=${value}`);
      const io = fakeIo({ cwd: CLI_ROOT });
      expect(await runCli(args, io)).toBe(1);
      expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
    },
  );

  it('gives --reference when scenarios run (their rollups, not a configuration), not over your rollups', () => {
    // `dev --scenarios s0` beside a dynotally.config.ts without `jobs`: the hint, run there, loaded that file and
    // failed with UNKNOWN_ROLLUP (review s35y, test/review/s35y-dev-hint-config.test.ts runs it)
    expect(firstScreen(scenarioStack(['s2', 's0']))).toContain(
      `query it    npx dynotally query top favourites --endpoint ${CLOSED} --table orders-aggregates --reference\n`,
    );
    const defaults = { ...scenarioStack(['s3']), tables: DEFAULT_TABLES } as DevStack;
    expect(queryHint(firstScreen(defaults)).slice(-3)).toEqual(['--endpoint', CLOSED, '--reference']);
    // --scenarios none: the configuration's rollups (or, without one, the reference ones) read as configured
    expect(queryHint(firstScreen(stackOn(CLOSED)))).not.toContain('--reference');
    expect(queryHint(firstScreen(scenarioStack([], [...referenceRollups])))).not.toContain('--reference');
  });

  it.each([
    ['-c conf/orders.config.ts', ['-c', 'conf/orders.config.ts'], 'orders', ' -c conf/orders.config.ts\n'],
    [
      '-c with a space and a quote in the path',
      ['-c', "Bo's conf/orders.config.ts"],
      'orders',
      " -c 'Bo'\\''s conf/orders.config.ts'\n",
    ],
    ['--reference', ['--reference'], 'jobs', ' --reference\n'],
  ])(
    'under --scenarios none %s, the hint repeats how dev chose its rollups, and runs as printed there',
    {
      timeout: 60_000,
    },
    async (_what, configFlags, rollup, printed) => {
      // `dev --scenarios none -c conf/orders.config.ts` printed `query total orders … --endpoint …`: run as printed in the
      // same directory (no ./dynotally.config.ts there, or one without `orders`), query used another configuration and
      // failed with UNKNOWN_ROLLUP before it read
      const dir = tempDir('dynotally-first-screen-');
      const file = configFlags[1] ?? 'dynotally.config.ts';
      mkdirSync(join(dir, file, '..'), { recursive: true });
      const library = join(CLI_ROOT, '..', 'dynotally', 'src', 'index.ts');
      writeFileSync(
        join(dir, file),
        `import { count, defineRollup } from ${JSON.stringify(library)};
export default { rollups: [defineRollup({ name: 'orders', groupBy: 'storeId', time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'], measures: { n: count() } })] };
`,
      );
      const stack = rollup === 'jobs' ? scenarioStack([], [scenario('s0').rollup]) : stackOn(CLOSED);
      const screen = firstScreen(stack, { configFlags });
      expect(screen).toContain(printed); // the query line's end
      expect(queryHint(screen).slice(-configFlags.length)).toEqual(configFlags);
      const io = fakeIo({ cwd: dir });
      expect(await runCli(queryHint(screen), io)).toBe(1);
      expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
    },
  );

  it("takes the flags that chose dev's configuration from its global flags", () => {
    expect(configFlagsOf({})).toEqual([]);
    expect(configFlagsOf({ config: 'conf/orders.config.ts' })).toEqual(['-c', 'conf/orders.config.ts']);
    expect(configFlagsOf({ reference: true })).toEqual(['--reference']);
    expect(configFlagsOf({ reference: false, config: 'x.ts' })).toEqual(['-c', 'x.ts']);
  });

  it('each scenario writes its example group', () => {
    for (const s of SCENARIOS) {
      const written = s
        .create({ seed: 3 })
        .history(Date.now(), 300)
        .flatMap((c) => (c.kind === 'delete' ? [] : [c.item]));
      const [attr, value] = Object.entries(s.exampleGroup)[0] as [string, string];
      expect(
        written.some((item) => item[attr] === value),
        `${s.id} ${attr}=${value}`,
      ).toBe(true);
    }
  });

  it('says Ctrl-C stops the generators only when some run', () => {
    const none = firstScreen(scenarioStack([]));
    expect(none).toContain('  stop        Ctrl-C — stops the worker, the dashboard and DynamoDB Local\n');
    expect(firstScreen(scenarioStack(['s0']))).toContain(
      '  stop        Ctrl-C — stops the generators, the worker, the dashboard and DynamoDB Local\n',
    );
    expect(firstScreen(stackOn(CLOSED))).toContain(
      '  stop        Ctrl-C — stops the worker, the dashboard (your DynamoDB keeps running)\n',
    );
  });

  it("names a group seen in the rollup's table instead of a placeholder; without one, says to fill it in", () => {
    // review s43u: the placeholder line ran, and read a group that does not exist
    const seen = firstScreen(stackOn(CLOSED), { seenGroup: 'storeId=s 1' });
    expect(seen).toContain(`query total orders --group 'storeId=s 1' --last-days 7 --endpoint ${CLOSED}`);
    expect(seen).not.toContain('<value>');
    const unseen = firstScreen(stackOn(CLOSED));
    expect(unseen).toContain("query total orders --group 'storeId=<value>' --last-days 7");
    expect(unseen).toContain(
      '\n              fill in <value>: no group of yours was counted yet when this screen was printed\n',
    );
  });
});
