// Scratch projects for the built `dynotally` executable (BIN): a directory beside the build, so `dynotally` and
// `dynotally-cli` resolve to the built packages as an installed project's would, with the files a test gives.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, CLI_CWD, cliEnv } from './cli.ts';

const made: string[] = [];

/**
 * A project `name` beside the built packages holding `files` (relative path → text); removed by
 * {@link removeCliProjects}.
 *
 * @example
 * ```ts
 * const dir = cliProject('cjs-app', { 'package.json': '{"name":"cjs-app"}', 'dynotally.config.ts': config });
 * ```
 */
export function cliProject(name: string, files: Record<string, string>): string {
  const dir = join(dirname(CLI_CWD), `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  made.push(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/**
 * Removes every project {@link cliProject} made (call it in `afterAll`).
 *
 * @example
 * ```ts
 * afterAll(removeCliProjects);
 * ```
 */
export function removeCliProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs the built `dynotally` in `cwd`; `out` is stdout and stderr together.
 *
 * @example
 * ```ts
 * const run = await runBuiltCli(dir, ['plan', '--dry-run', '--records', 'event.json']);
 * ```
 */
export function runBuiltCli(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let out = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      out += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, out }));
  });
}

/** A `rollups.ts` exporting `jobs`: jobs per customer (`customerId`, `createdAt` in epoch ms) by hour and day. */
export const JOBS_ROLLUP_TS = `import { count, defineRollup } from 'dynotally';
export const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['hour', 'day'],
  measures: { jobs: count() },
});
`;

/**
 * A `--records` file of one INSERT of a job with these image attributes (`id` and `createdAt` added), as JSON.
 *
 * @example
 * ```ts
 * cliProject('app', { 'event.json': jobInsertEvent({ customerId: { S: 'c1' } }) });
 * ```
 */
export function jobInsertEvent(attrs: Record<string, unknown>): string {
  return JSON.stringify({
    Records: [
      {
        eventID: '1',
        eventName: 'INSERT',
        eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/jobs/stream/x',
        dynamodb: {
          SequenceNumber: '100',
          ApproximateCreationDateTime: 1_763_800_000,
          NewImage: { id: { S: 'j1' }, ...attrs, createdAt: { N: '1763800000000' } },
        },
      },
    ],
  });
}
