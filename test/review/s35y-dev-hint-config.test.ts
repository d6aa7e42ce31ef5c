// Review s35y: `dynotally dev --scenarios s0` (or `--table <name>`) run beside a configuration of your own printed a
// `query it` hint that names the scenario's rollup (`jobs`) and, before the fix, not the stack's table: run as
// printed in the same directory, `query` loads ./dynotally.config.ts, which has no `jobs`, and fails before it reads
// (fixed: the hint ends with --reference, which reads the scenarios' rollups and no config file); under
// `--table mine` it read the configuration's table (fixed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import type { DevStack } from '../../packages/dynotally-cli/src/dev/dev-stack.ts';
import { firstScreen } from '../../packages/dynotally-cli/src/dev/first-screen.ts';
import { scenario } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { fakeIo } from '../support/fake-io.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CLOSED = 'http://127.0.0.1:9'; // nothing listens: a hint that passes every check ends unreachable

function stack(tables: DevStack['tables']): DevStack {
  return {
    url: 'http://127.0.0.1:4700',
    dashboard: { pageUrl: 'http://127.0.0.1:4700', port: 4700, beyondLoopback: false },
    endpoint: CLOSED,
    dynamoDbLocal: { pid: 1 },
    scenarios: ['s0'],
    historyEvents: 0,
    tables,
    rollups: [scenario('s0').rollup],
    runner: { stats: () => [{ id: 's0', rate: 2, total: 0 }] },
    workerStats: () => ({ workerId: 'w-1', shards: [{ shardId: 'shard-1' }] }),
    s4: { mode: 'direct', describe: '', workerOptions: undefined },
  } as unknown as DevStack;
}

const hint = (screen: string) =>
  (screen.split('\n').find((l) => l.startsWith('  query it')) ?? '')
    .replace('  query it', '')
    .trim()
    .split(/\s+/)
    .slice(2)
    .map((w) => w.replaceAll("'", ''));

describe('review s35y: the dev hint beside a configuration of your own', () => {
  it('runs as printed in the directory of a config without the scenario rollup', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 's35y-dev-hint-'));
    writeFileSync(
      join(dir, 'dynotally.config.ts'),
      `import { count, defineRollup } from '${ROOT}/packages/dynotally/src/definition/index.ts';
export default {
  rollups: [defineRollup({ name: 'orders', groupBy: 'storeId', time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['day'], measures: { n: count() } })],
  tables: { aggregate: 'orders-aggregates' },
};
`,
    );
    const tables = {
      source: 'dynotally-source',
      aggregate: 'orders-aggregates',
      deadLetter: 'dynotally-dead-letters',
      leases: 'dynotally-leases',
    };
    const io = fakeIo({ cwd: dir });
    try {
      const code = await runCli(hint(firstScreen(stack(tables))), io);
      expect(io.err).toContain('[ENDPOINT_UNREACHABLE]'); // before the fix: [UNKNOWN_ROLLUP] no rollup named 'jobs'
      expect(code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the aggregate table the stack writes (dev --table)', () => {
    // `dev --table mine` writes to `mine`; the hint, run as printed, reads the configuration's table instead
    const tables = {
      source: 'dynotally-source',
      aggregate: 'mine',
      deadLetter: 'dynotally-dead-letters',
      leases: 'dynotally-leases',
    };
    const args = hint(firstScreen(stack(tables)));
    expect(args.join(' ')).toContain('--table mine');
  });
});
