// Review s41b: the first screen's `query it` line (`dynotally dev`) for a configuration whose first rollup is grouped
// by a function with declared names (the docs' example, docs/rollups.md: `groupBy: { names: ['tenant'], fn }`) was
// never run by a test: the line names the group by the declared names (`--group 'tenant=<value>'`). This runs it as
// printed, in a directory holding that configuration, against an endpoint where nothing listens: a line that passes
// every check of its flags, rollup, group and window ends ENDPOINT_UNREACHABLE. Found sound (nothing to fix).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import type { DevStack } from '../../packages/dynotally-cli/src/dev/dev-stack.ts';
import { configFlagsOf, firstScreen } from '../../packages/dynotally-cli/src/dev/first-screen.ts';
import { fakeIo } from '../support/fake-io.ts';
import { tempDir } from '../support/temp-dir.ts';

const CLOSED = 'http://127.0.0.1:9';
const LIBRARY = join(import.meta.dirname, '..', '..', 'packages', 'dynotally', 'src', 'index.ts');
const CONFIG = `import { count, defineRollup } from ${JSON.stringify(LIBRARY)};
export const tenants = defineRollup({
  name: 'tenants',
  groupBy: {
    names: ['tenant'],
    fn: (item) => (typeof item.pk === 'string' ? { tenant: item.pk.split('#')[0] ?? '' } : undefined),
  },
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});
`;
// the same definition, for the stack the first screen describes
const tenants = defineRollup({
  name: 'tenants',
  groupBy: {
    names: ['tenant'],
    fn: (item) => (typeof item.pk === 'string' ? { tenant: item.pk.split('#')[0] ?? '' } : undefined),
  },
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});

/** The words of the first screen's `query it` line, as a shell reads them (single quotes only). */
const queryHint = (screen: string): string[] => {
  const line = screen.split('\n').find((l) => l.startsWith('  query it')) ?? '';
  return (line.replace('  query it', '').match(/(?:'[^']*'|[^\s'])+/g) ?? []).map((w) =>
    w.replaceAll("'", ''),
  );
};

describe("the first screen's query line for a rollup grouped by a function with declared names", () => {
  it('names the group by the declared names, and runs as printed', { timeout: 60_000 }, async () => {
    const dir = tempDir('dynotally-s41b-first-screen-');
    writeFileSync(join(dir, 'dynotally.config.ts'), CONFIG);
    const stack = {
      url: 'http://127.0.0.1:4700',
      dashboard: { pageUrl: 'http://127.0.0.1:4700', port: 4700, beyondLoopback: false },
      endpoint: CLOSED,
      dynamoDbLocal: undefined,
      scenarios: [],
      tables: { source: 'src', aggregate: 'tenants-aggregates', deadLetter: 'dl', lease: 'leases' },
      rollups: [tenants],
      runner: { stats: () => [] },
      workerStats: () => ({ workerId: 'w-1', shards: [{ shardId: 'shard-1' }] }),
      s4: { mode: 'direct', describe: '', workerOptions: undefined },
    } as unknown as DevStack;
    const screen = firstScreen(stack, { configFlags: configFlagsOf({}) });
    expect(screen).toContain("query total tenants --group 'tenant=<value>' --last-days 7");
    const io = fakeIo({ cwd: dir });
    expect(await runCli(queryHint(screen).slice(2), io)).toBe(1);
    expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
    // the same line with a group named otherwise is refused before any read: the check above is the group's too
    const wrong = queryHint(screen)
      .slice(2)
      .map((w) => (w === 'tenant=<value>' ? 'tenantId=<value>' : w));
    const refused = fakeIo({ cwd: dir });
    expect(await runCli(wrong, refused)).toBe(2);
    expect(refused.err).toContain('[GROUP_INVALID]');
  });
});
