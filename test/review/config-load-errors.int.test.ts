// Review 14, finding 3 (fixed: loadFailureReason gives the problem line and its position, and for a top-level await
// compiled to CommonJS the way out): a TypeScript config that tsx cannot transform was reported by its useless
// first line.
//
// loadConfig reports a config that fails to load as CONFIG_INVALID with the first line of the error. Every error
// of tsx's transform (esbuild's TransformError) reads "Transform failed with 1 error:" on its first line and names
// the problem on the second, so the one-line report says nothing about what is wrong or where: a syntax error, and
// (new with f483873's tsImport, which compiles a .ts config in a CommonJS package to CommonJS) a top-level await in
// a dynotally.config.ts of an `npm init` package ("Top-level await is currently not supported with the "cjs" output
// format": the fix is to rename it .mts or add "type": "module", which the message should lead to).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cliProject, JOBS_ROLLUP_TS, removeCliProjects, runBuiltCli } from '../support/cli-project.ts';

vi.setConfig({ testTimeout: 120_000 });

afterAll(removeCliProjects);

function project(name: string, pkg: Record<string, unknown>, config: string): string {
  return cliProject(name, {
    'package.json': JSON.stringify(pkg),
    'rollups.ts': JOBS_ROLLUP_TS,
    'dynotally.config.ts': config,
    'event.json': JSON.stringify({ Records: [] }),
  });
}

const dryRun = (cwd: string) => runBuiltCli(cwd, ['plan', '--dry-run', '--records', 'event.json']);

describe('review14: a config tsx cannot transform', () => {
  it('top-level await in a .ts config of a CommonJS package: the report names the cause', async () => {
    const text = `import { jobs } from './rollups';\nconst rollups = await Promise.resolve([jobs]);\nexport default { rollups };\n`;
    const run = await dryRun(project('r14-tla-cjs', { name: 'r14-tla-cjs', version: '1.0.0' }, text));
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/CONFIG_INVALID/);
    // today: "could not be loaded: Transform failed with 1 error: (fix the file; …)"
    expect(run.out).toMatch(/[Tt]op-level await/);
  });

  it('a syntax error in a .ts config: the report names it and its position', async () => {
    const text = `import { jobs } from './rollups';\nexport default { rollups: [jobs] ;\n`;
    const run = await dryRun(
      project('r14-syntax', { name: 'r14-syntax', version: '1.0.0', type: 'module' }, text),
    );
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/CONFIG_INVALID/);
    expect(run.out).toMatch(/dynotally\.config\.ts:2:\d+/);
  });
});
