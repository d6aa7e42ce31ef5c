// The `dynotally` the CLI tests spawn: this run's build (plain JavaScript, complete, run where no config file is
// picked up), and the repository's bin, which runs the sources and the root config through tsx.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, CLI_CWD, CONFIG_LIB, ROOT, runDynotally } from './cli.ts';
import { tempDir } from './temp-dir.ts';

// No DynamoDB is reached: an unknown rollup is refused before any request.
const UNKNOWN = ['verify', 'nosuch', '--endpoint', 'http://127.0.0.1:1'];

/** The files under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("the test run's dynotally build", () => {
  it('has a .js for every module `npm run build` compiles, and the dashboard files, and no TypeScript', () => {
    const installed = join(BIN, '..', '..', '..');
    for (const [pkg, excluded] of [
      // as tsconfig.build.json excludes them: the CDK test fixtures and the test helpers under testing/
      ['dynotally', /^cdk\/fixtures\/|(^|\/)testing\//],
      ['dynotally-cli', /^$/],
    ] as const) {
      const src = join(ROOT, 'packages', pkg, 'src');
      const modules = filesUnder(src)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !excluded.test(f))
        .map((f) => f.replace(/\.ts$/, '.js'));
      const assets = filesUnder(src).filter((f) => f.startsWith('dashboard/public/'));
      const built = filesUnder(join(installed, pkg, 'dist'));
      expect(built).toEqual([...modules, ...assets].sort());
      expect(existsSync(join(installed, pkg, 'package.json'))).toBe(true);
    }
  });

  it('runs from a directory without a config file: the reference configuration', async () => {
    expect(existsSync(join(CLI_CWD, 'dynotally.config.ts'))).toBe(false);
    const version = await runDynotally(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const run = await runDynotally(UNKNOWN);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "no rollup named 'nosuch' in the reference configuration (the dev stack's scenarios' rollups), used because no config file was found",
    );
  });

  it("loads a TypeScript config given with --config through tsx, as a user's installed CLI does", async () => {
    const config = join(ROOT, 'dynotally.config.ts');
    const run = await runDynotally([...UNKNOWN, '--config', config]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`no rollup named 'nosuch' in ${config}`);
  });

  it('--reference reads the built-in rollups beside a config file without them, as the dev hint runs it', async () => {
    // the dev stack's `query it` line (review s35y): the installed CLI reads its own reference rollups, from dist
    const dir = tempDir('dynotally-cli-reference-');
    const config = join(dir, 'dynotally.config.ts');
    writeFileSync(
      config,
      `import { count, defineRollup } from ${JSON.stringify(CONFIG_LIB)};
export default { rollups: [defineRollup({ name: 'orders', groupBy: 'storeId', granularities: ['all'], measures: { n: count() } })] };
`,
    );
    const jobs = ['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h'];
    const endpoint = ['--endpoint', 'http://127.0.0.1:1'];
    const mine = await runDynotally([...jobs, ...endpoint], { cwd: dir });
    expect(mine.code, mine.stderr).toBe(2);
    expect(mine.stderr).toContain(`no rollup named 'jobs' in ${config}`);
    const reference = await runDynotally([...jobs, ...endpoint, '--reference'], { cwd: dir });
    expect(reference.stderr).toContain('[ENDPOINT_UNREACHABLE]');
    expect(reference.code).toBe(1);
    const both = await runDynotally([...UNKNOWN, '--reference', '-c', config], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`[CONFIG_INVALID] --reference and --config ${config} both say`);
  });

  it("the repository's bin runs the sources through tsx and picks up the root dynotally.config.ts", async () => {
    const run = await runDynotally(UNKNOWN, { source: true });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`no rollup named 'nosuch' in ${join(ROOT, 'dynotally.config.ts')}`);
  });
});
