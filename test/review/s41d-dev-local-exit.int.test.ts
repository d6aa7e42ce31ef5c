// Review s41d (dev stack): DynamoDB Local dying under a running `dynotally dev` (or `dynotally local`) is never
// noticed. The stack's DynamoDB Local runs in memory, so a JVM that exits (killed by the OOM killer, a crash, a
// `kill` from another terminal) takes every table with it: nothing can recover. dev-stack.ts never watched the
// process: the generators, the freshness probes and the workers went on against a closed port, each failure a line
// of its own (`s0 generator: write failed: connect ECONNREFUSED …`, ~25 lines a second at --rate 5, 600 in 13 s),
// the process never exited, the dashboard kept saying "generators: running" with a wall of ECONNREFUSED, and nothing
// said that the data was gone or what to do. `dynotally local` the same: it kept waiting for Ctrl-C with its banner
// "DynamoDB Local is running at …" standing.
// Observed: after `kill -9 <java pid>`, `stack.stopped` never settles and the log fills with write failures;
// `dynotally local` keeps running.
// Expected: the stack stops itself, its `stopped` settling with ENDPOINT_UNREACHABLE naming the exit and saying the
// in-memory tables are gone (dev exits 1 with it), after a few lines at most; `dynotally local` exits 1 saying so.
// Fixed (s41d): `DynamoDbLocal.exited` (dynotally/local) resolves when the JVM exits; dev-stack.ts stops the stack
// with that reason unless its own stop (Ctrl-C, --duration) began within 500 ms; commands/local.ts races it with
// the signal the same way.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { type DevStack, startDevStack } from '../../packages/dynotally-cli/src/dev/index.ts';
import { BIN, CLI_CWD, cliEnv } from '../support/cli.ts';

/** `value`, or 'still waiting' when it has not settled within `ms`. */
function within<T>(value: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([value, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);
}

describe('DynamoDB Local exits under a running dev stack', () => {
  let stack: DevStack | undefined;
  afterAll(async () => {
    await stack?.stop();
  });

  it('the stack stops itself with ENDPOINT_UNREACHABLE saying the in-memory tables are gone', async () => {
    const lines: string[] = [];
    stack = await startDevStack({
      port: 0,
      rate: 5,
      scenarios: ['s0', 's2'],
      history: 0,
      log: (l) => lines.push(l),
    });
    const pid = stack.dynamoDbLocal?.pid as number;
    expect(pid).toBeGreaterThan(0);
    const before = lines.length;
    process.kill(pid, 'SIGKILL');
    const reason = await within(stack.stopped, 30_000);
    expect(reason).not.toBe('still waiting');
    expect(reason).toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
    expect((reason as Error).message).toMatch(
      /DynamoDB Local \(java pid \d+.*exited \(signal SIGKILL\).*tables are gone/,
    );
    // a few lines while it stops, not one per failed write for as long as it runs
    expect(lines.length - before).toBeLessThan(60);
  });
});

describe('DynamoDB Local exits under dynotally local', () => {
  it('dynotally local exits 1 saying DynamoDB Local exited', async () => {
    const child = spawn(process.execPath, [BIN, 'local', '--port', '0', '--json'], {
      cwd: CLI_CWD,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = await new Promise<{ pid: number }>((resolve, reject) => {
        let text = '';
        createInterface({ input: child.stdout! }).on('line', (line) => {
          text += `${line}\n`;
          if (line === '}') resolve(JSON.parse(text));
        });
        child.once('exit', (code) => reject(new Error(`dynotally local exited (${code}) before it printed`)));
      });
      process.kill(started.pid, 'SIGKILL');
      expect(await within(exited, 30_000)).toBe(1);
      expect(stderr).toMatch(/ENDPOINT_UNREACHABLE.*DynamoDB Local \(java pid \d+.*exited/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
