// The real `dynotally` executable as a user runs it, and expected counts taken from scenario changes themselves.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import type { SourceChange } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';
import { stackTables } from './ddb.ts';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The executable as an installed package runs it: this run's build of both packages (the global setup builds
 * them afresh for every run that has a file importing this module; test/support/cli-build.ts). Run it in
 * {@link CLI_CWD} with {@link cliEnv}.
 */
export const BIN: string = inject('cliBin') || join(ROOT, 'no-cli-build', 'the global setup built no CLI');
/**
 * The library as a config file should import it: in a run that built the CLI, the library's entry in that build, the
 * very module {@link BIN} loads (as a user's config imports `dynotally`), so the CLI process loads the library once,
 * built, instead of a second copy transpiled from its sources by the config loader (about 1.1 s of CPU a run
 * before, 0.65 s after); in a run without a build (pure tests running the CLI in-process), the library's sources.
 */
export const CONFIG_LIB: string = inject('cliBin')
  ? join(dirname(BIN), '..', '..', 'dynotally', 'dist', 'index.js')
  : join(ROOT, 'packages', 'dynotally', 'src', 'index.ts');
/** An empty directory to run {@link BIN} in: no `dynotally.config.*`, so only the flags configure it. */
export const CLI_CWD: string = inject('cliCwd') || ROOT;
/**
 * The executable in the repository, running the TypeScript sources through tsx, as `npx dynotally` does in a
 * checkout. Run from {@link ROOT} it loads the root `dynotally.config.ts` through tsx too. About 2.5 times the
 * CPU of {@link BIN} per process: keep it to the tests of exactly that.
 */
export const SOURCE_BIN = join(ROOT, 'packages', 'dynotally-cli', 'bin', 'dynotally.js');

/**
 * The environment for a `dynotally` process: `base` without `DYNOTALLY_CLI_SOURCE` (which would send the built
 * bin to sources it does not have).
 *
 * @example
 * ```ts
 * spawn(process.execPath, [BIN, 'local'], { cwd: CLI_CWD, env: cliEnv() });
 * ```
 */
export function cliEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.DYNOTALLY_CLI_SOURCE;
  return env;
}

/** What a CLI run printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dynotally <args>` in a child process without the caller's `DYNOTALLY_*` and `AWS_*` variables (so only the
 * flags configure it): the built {@link BIN} in {@link CLI_CWD}, or with `{ source: true }` the sources through
 * tsx in the repository root, which loads the root `dynotally.config.ts`; `cwd` runs it in another directory.
 *
 * @example
 * ```ts
 * const run = await runDynotally(['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h']);
 * ```
 */
export function runDynotally(
  args: readonly string[],
  opts: { source?: boolean; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('DYNOTALLY_') || k.startsWith('AWS_')) delete env[k];
    // the suite's DynamoDB Local is shared by every file and, at a load average of 15, can leave one call
    // unanswered for longer than the CLI's default 10 s deadline (a backfill through the bin exited 1 so in a
    // full load run): these tests check what the commands do, not the machine's latency. A --timeout flag (the
    // timeout tests) still overrides it
    env.DYNOTALLY_TIMEOUT = '120s';
    if (opts.source) env.DYNOTALLY_CLI_SOURCE = '1';
    const child = spawn(process.execPath, [opts.source ? SOURCE_BIN : BIN, ...args], {
      cwd: opts.cwd ?? (opts.source ? ROOT : CLI_CWD),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The items the source table holds after the changes (each key's last put, unless deleted since).
 *
 * @example
 * ```ts
 * const items = liveItems(changes);
 * ```
 */
export function liveItems(changes: readonly SourceChange[]): Record<string, unknown>[] {
  const live = new Map<string, Record<string, unknown>>();
  for (const c of changes) {
    if (c.kind === 'delete') live.delete(`${c.key.pk}/${c.key.sk}`);
    else live.set(`${c.item.pk}/${c.item.sk}`, c.item);
  }
  return [...live.values()];
}

/**
 * Live items per value of `attribute` after the changes (optionally only items that `keep`), counted from the
 * changes themselves, not by dynotally.
 *
 * @example
 * ```ts
 * const ordersPerStore = liveCountsBy(changes, 'storeId', (item) => item.type === 'order');
 * ```
 */
export function liveCountsBy(
  changes: readonly SourceChange[],
  attribute: string,
  keep: (item: Record<string, unknown>) => boolean = () => true,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of liveItems(changes)) {
    if (!keep(item)) continue;
    const value = String(item[attribute]);
    out.set(value, (out.get(value) ?? 0) + 1);
  }
  return out;
}

/**
 * Fresh names for the four tables a CLI test uses, and the flags that point `dynotally` at them.
 *
 * @example
 * ```ts
 * const { tables, flags } = cliTables('cli');
 * await runDynotally(['tables', 'create', ...flags(endpoint)]);
 * ```
 */
export function cliTables(prefix: string): {
  tables: { aggregate: string; source: string; deadLetter: string; leases: string };
  flags(endpoint: string): string[];
} {
  const tables = stackTables(prefix);
  return {
    tables,
    flags: (endpoint) => [
      '--endpoint',
      endpoint,
      '--table',
      tables.aggregate,
      '--source-table',
      tables.source,
      '--dead-letter-table',
      tables.deadLetter,
      '--lease-table',
      tables.leases,
    ],
  };
}
