// The global `--reference` flag through the command line: a query of a reference rollup run beside a
// configuration of your own (as the dev stack's `query it` line prints it), its place among the flags, its
// misuses (each one line with a code, exit 2), and its help.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { runCli } from './run-cli.ts';

const library = join(import.meta.dirname, '..', '..', '..', 'dynotally', 'src', 'index.ts');
// nothing listens there: a query that passes every check of its configuration and flags ends unreachable
const CLOSED = 'http://127.0.0.1:9';
const JOBS = ['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h', '--endpoint', CLOSED];

/** A directory whose dynotally.config.ts has one rollup, `orders` (none of the reference ones). */
function ordersDir(): string {
  const dir = tempDir('dynotally-reference-flag-');
  writeFileSync(
    join(dir, 'dynotally.config.ts'),
    `import { count, defineRollup } from ${JSON.stringify(library)};
export default { rollups: [defineRollup({ name: 'orders', groupBy: 'storeId', granularities: ['all'], measures: { n: count() } })] };
`,
  );
  return dir;
}

async function run(argv: string[], cwd = ordersDir(), env: Record<string, string> = {}) {
  const io = fakeIo({ cwd, env });
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('dynotally --reference', () => {
  it("queries a reference rollup beside a configuration that lacks it, before or after the command's flags", {
    timeout: 60_000,
  }, async () => {
    const dir = ordersDir();
    const without = await run(JOBS, dir);
    expect(without.code).toBe(2);
    expect(without.err).toContain("[UNKNOWN_ROLLUP] no rollup named 'jobs'");
    for (const argv of [
      [...JOBS, '--reference'],
      ['--reference', ...JOBS],
    ]) {
      const r = await run(argv, dir, { DYNOTALLY_CONFIG: 'dynotally.config.ts' });
      expect(r.err, argv.join(' ')).toContain('[ENDPOINT_UNREACHABLE]');
      expect(r.code).toBe(1);
    }
  });

  it('names the reference configuration, as what --reference selects, when the rollup is not among them', async () => {
    const r = await run(['query', 'total', 'orders', '--all', '--endpoint', CLOSED, '--reference']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "dynotally: [UNKNOWN_ROLLUP] no rollup named 'orders' in the reference configuration that --reference selects (the dev stack's scenarios' rollups, read from no file) (known: jobs, scans, favourites, energy, store)\n",
    );
  });

  it('without --reference or a config file: the reference configuration, and why it is used', async () => {
    const r = await run(
      ['query', 'total', 'orders', '--all', '--endpoint', CLOSED],
      tempDir('dynotally-no-config-'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "no rollup named 'orders' in the reference configuration (the dev stack's scenarios' rollups), used because no config file was found: give --config <file>",
    );
  });

  it.each([
    [
      '--reference with --config',
      ['--reference', '-c', 'dynotally.config.ts', ...JOBS],
      "dynotally: [CONFIG_INVALID] --reference and --config dynotally.config.ts both say which rollups to use: give one (--reference: the dev stack's reference rollups, read from no file; --config: your configuration file)\n",
    ],
    [
      'a value given to --reference',
      [...JOBS, '--reference=yes'],
      "dynotally: [CONFIG_INVALID] unknown option '--reference=yes' (run 'dynotally query total --help' for the usage)\n",
    ],
    [
      '--no-reference',
      [...JOBS, '--no-reference'],
      "dynotally: [CONFIG_INVALID] unknown option '--no-reference'; did you mean --reference? (run 'dynotally query total --help' for the usage)\n",
    ],
  ])('%s: one coded line, exit 2', async (_what, argv, line) => {
    const r = await run(argv);
    expect(r.err).toBe(line);
    expect(r.code).toBe(2);
  });

  it('--config reference (no such file) points at --reference', async () => {
    const r = await run(['-c', 'reference', ...JOBS]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dynotally: \[CONFIG_INVALID\] config file reference does not exist \(.*; for the dev stack's reference rollups, give --reference instead of a file\)\n$/,
    );
  });

  it('is in --help, with an example, and in query total --help', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/^ {2}--reference {2,}the dev stack's reference rollups/m);
    expect(top.out).toContain(
      'dynotally query total jobs --group customerId=acme --last 24h --endpoint http://127.0.0.1:8000 --reference',
    );
    const total = await run(['query', 'total', '--help']);
    expect(total.out).toContain(
      'dynotally query total jobs --group customerId=acme --last 24h --endpoint http://127.0.0.1:8000 --reference',
    );
  });
});
