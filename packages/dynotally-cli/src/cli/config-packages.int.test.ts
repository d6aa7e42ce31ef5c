// The installed CLI loads a TypeScript config in either kind of npm package: one with "type": "module", and one
// without (npm's default, CommonJS), where tsx compiles the file to CommonJS. Before, the built CLI registered
// tsx's ES module loader only, and a .ts config in a CommonJS package failed to load ("Cannot require() ES Module
// … in a cycle", or the TypeScript parsed as plain JavaScript), so `dynotally` refused every command there.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BIN, CLI_CWD, cliEnv } from '../../../../test/support/cli.ts';

vi.setConfig({ testTimeout: 120_000 });

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project beside the built packages (so `dynotally` resolves to the build), with this package.json. */
function project(name: string, pkg: Record<string, unknown>, config: { file: string; text: string }): string {
  const dir = join(dirname(CLI_CWD), `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  made.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  // the rollups in a module of their own, imported without an extension as TypeScript projects do
  writeFileSync(
    join(dir, 'rollups.ts'),
    `import { count, defineRollup } from 'dynotally';
export const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['hour', 'day'],
  measures: { jobs: count() },
});
`,
  );
  writeFileSync(join(dir, config.file), config.text);
  writeFileSync(
    join(dir, 'event.json'),
    JSON.stringify({
      Records: [
        {
          eventID: '1',
          eventName: 'INSERT',
          eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/jobs/stream/x',
          dynamodb: {
            SequenceNumber: '100',
            ApproximateCreationDateTime: 1_763_800_000,
            NewImage: { id: { S: 'j1' }, customerId: { S: 'c1' }, createdAt: { N: '1763800000000' } },
          },
        },
      ],
    }),
  );
  return dir;
}

function dryRun(cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'plan', '--dry-run', '--records', 'event.json'], {
      cwd,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

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
      expect(run.out).toMatch(/1 records \(INSERT 1, MODIFY 0, REMOVE 0\) → 1 row updates/);
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
