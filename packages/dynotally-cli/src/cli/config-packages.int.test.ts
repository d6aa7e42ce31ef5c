// The installed CLI loads a TypeScript config in either kind of npm package: one with "type": "module", and one
// without (npm's default, CommonJS), where tsx compiles the file to CommonJS. Before, the built CLI registered
// tsx's ES module loader only, and a .ts config in a CommonJS package failed to load ("Cannot require() ES Module
// … in a cycle", or the TypeScript parsed as plain JavaScript), so `dynotally` refused every command there.
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  cliProject,
  JOBS_ROLLUP_TS,
  jobInsertEvent,
  removeCliProjects,
  runBuiltCli,
} from '../../../../test/support/cli-project.ts';

vi.setConfig({ testTimeout: 120_000 });

afterAll(removeCliProjects);

const EVENT = jobInsertEvent({ customerId: { S: 'c1' } });

/** A project beside the built packages (so `dynotally` resolves to the build), with this package.json. */
function project(name: string, pkg: Record<string, unknown>, config: { file: string; text: string }): string {
  // the rollups in a module of their own, imported without an extension as TypeScript projects do
  return cliProject(name, {
    'package.json': JSON.stringify(pkg),
    'rollups.ts': JOBS_ROLLUP_TS,
    [config.file]: config.text,
    'event.json': EVENT,
  });
}

const dryRun = (cwd: string) => runBuiltCli(cwd, ['plan', '--dry-run', '--records', 'event.json']);

const CONFIG_TS = `import { defineConfig } from 'dynotally-cli';
import { jobs } from './rollups';
const mode: 'exactly-once' = 'exactly-once';
export default defineConfig({ rollups: [jobs], mode });
`;

describe('a TypeScript config in the built CLI', () => {
  for (const [kind, pkg] of [
    ['CommonJS package (no "type")', { name: 'cjs-app', version: '1.0.0' }],
    ['ES module package', { name: 'esm-app', version: '1.0.0', type: 'module' }],
  ] as const) {
    it(`loads dynotally.config.ts in a ${kind}`, async () => {
      const dir = project(pkg.name, pkg, { file: 'dynotally.config.ts', text: CONFIG_TS });
      const run = await dryRun(dir);
      expect(run.out).not.toMatch(/CONFIG_INVALID/);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/1 record \(INSERT 1, MODIFY 0, REMOVE 0\) → 1 row update,/);
      expect(run.out).toContain('jobs#sc1');
    });
  }

  it('loads a named `config` export in a CommonJS package', async () => {
    const text = `import { jobs } from './rollups';\nexport const config = { rollups: [jobs] };\n`;
    const dir = project('cjs-named', { name: 'cjs-named' }, { file: 'dynotally.config.ts', text });
    const run = await dryRun(dir);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('jobs#sc1');
  });
});
