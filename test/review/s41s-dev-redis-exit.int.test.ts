// Review s41s (dev stack): the dev stack's own redis-server (the one it starts for the buffered S4 scenario) dying
// under a running `dynotally dev` is never noticed. It runs with persistence off, so its exit (the OOM killer, a crash,
// a `kill` from another terminal) takes every S4 count not yet flushed to DynamoDB with it: nothing can recover them.
// buffered-s4.ts never watched the process: the dashboard's S4 panel showed REDIS_UNAVAILABLE, S4's worker logged
// a line every ~2 s for as long as the stack ran, the process never exited and nothing said the counts were lost.
// Observed: after `kill -9 <redis-server pid>`, `stack.stopped` never settles.
// Expected: the stack stops itself, `stopped` settling with REDIS_UNAVAILABLE naming the exit and saying S4's counts
// not yet flushed were lost (dev exits 1 with it), with no java or redis-server left behind; Ctrl-C (SIGINT to the
// whole process group, as a terminal sends it, redis-server included) is still a clean exit 0.
// Fixed (s41s): `LocalRedisServer.exited` (dynotally/local) resolves when redis-server exits; `bufferedS4` turns it
// into `S4Wiring.lost`, and dev-stack.ts stops the stack with that reason unless its own stop began within 500 ms
// (the grace DynamoDB Local's exit has had since s41d).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BufferedS4Wiring,
  bufferedS4,
  type DevStack,
  startDevStack,
} from '../../packages/dynotally-cli/src/dev/index.ts';
import { BIN, CLI_CWD, cliEnv } from '../support/cli.ts';

/** `value`, or 'still waiting' when it has not settled within `ms`. */
function within<T>(value: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([value, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);
}

/** The pid of the redis-server child of `parent` (listening on `port` when given). */
function redisChildOf(parent: number, port?: number): number {
  const rows = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /redis-server/.test(l) && (port === undefined || l.includes(`:${port}`)));
  const pid = Number(rows[0]?.split(/\s+/)[0]);
  if (!(pid > 0)) throw new Error(`no redis-server child of ${parent}`);
  return pid;
}

/** SIGKILL to every process of the group `leader` leads (gone already: nothing to do). */
function killGroup(leader: number): void {
  try {
    process.kill(-leader, 'SIGKILL');
  } catch {}
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the dev stack's redis-server exits under it", () => {
  let stack: DevStack | undefined;
  afterAll(async () => {
    await stack?.stop();
  });

  it('the stack stops itself with REDIS_UNAVAILABLE saying the unflushed S4 counts were lost', async () => {
    const lines: string[] = [];
    const s4: BufferedS4Wiring = bufferedS4();
    stack = await startDevStack({
      port: 0,
      rate: 5,
      scenarios: ['s0', 's4'],
      s4,
      history: 0,
      log: (l) => lines.push(l),
    });
    const java = stack.dynamoDbLocal?.pid as number;
    const redis = redisChildOf(process.pid, s4.stats().redisPort);
    process.kill(redis, 'SIGKILL');
    const reason = await within(stack.stopped, 30_000);
    expect(reason).not.toBe('still waiting');
    expect(reason).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect((reason as Error).message).toMatch(
      /redis-server \(pid \d+.*exited \(signal SIGKILL\).*S4's counts not yet flushed to DynamoDB were lost/,
    );
    // nothing left behind: DynamoDB Local's JVM stopped with the rest
    expect(isAlive(java)).toBe(false);
  });

  it('an exit its own stop follows within moments (Ctrl-C reaches redis-server too) is a stop, not a loss', async () => {
    await stack?.stop();
    const s4: BufferedS4Wiring = bufferedS4();
    stack = await startDevStack({ port: 0, rate: 5, scenarios: ['s4'], s4, history: 0 });
    process.kill(redisChildOf(process.pid, s4.stats().redisPort), 'SIGINT');
    await s4.lost; // redis-server has exited; 100 ms later the stack's own stop begins (the signal handler's)
    await new Promise((r) => setTimeout(r, 100));
    await stack.stop();
    expect(await within(stack.stopped, 30_000)).toBeUndefined();
  });
});

describe("the dev stack's redis-server under dynotally dev", () => {
  /** Starts `dynotally dev` with buffered S4, in a process group of its own; resolves with its started event. */
  const startDev = async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'dev',
        '--port',
        '0',
        '--json',
        '--no-open',
        '--scenarios',
        's0,s4',
        '--s4',
        'buffered',
        '--history',
        '0',
      ],
      { cwd: CLI_CWD, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = await new Promise<{ dynamoDbLocalPid: number }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('{"event":"started"')) resolve(JSON.parse(line));
      });
      child.once('exit', (code) =>
        reject(new Error(`dynotally dev exited (${code}) before it started: ${stderr}`)),
      );
    });
    return { child, started, exited, stderr: () => stderr };
  };

  it('dynotally dev exits 1 with REDIS_UNAVAILABLE, leaving no java behind', async () => {
    const dev = await startDev();
    try {
      const redis = redisChildOf(dev.child.pid as number);
      process.kill(redis, 'SIGKILL');
      expect(await within(dev.exited, 40_000)).toBe(1);
      expect(dev.stderr()).toMatch(/REDIS_UNAVAILABLE.*redis-server \(pid \d+.*exited.*were lost/);
      expect(isAlive(dev.started.dynamoDbLocalPid)).toBe(false);
    } finally {
      killGroup(dev.child.pid as number); // on failure, DynamoDB Local's java too (it is in the dev process's group)
    }
  });

  it('Ctrl-C (SIGINT to the whole group, redis-server included) is still a clean exit 0', async () => {
    const dev = await startDev();
    try {
      const redis = redisChildOf(dev.child.pid as number);
      // a terminal signals the whole group at once; on a loaded machine redis-server may be gone before the dev
      // process has run its handler: the worst order, redis-server gone first, then the group
      process.kill(redis, 'SIGINT');
      for (let i = 0; i < 300 && isAlive(redis); i++) await new Promise((r) => setTimeout(r, 10));
      process.kill(-(dev.child.pid as number), 'SIGINT');
      expect(await within(dev.exited, 40_000)).toBe(0);
      expect(dev.stderr()).not.toMatch(/REDIS_UNAVAILABLE/);
      expect(isAlive(redis)).toBe(false);
      expect(isAlive(dev.started.dynamoDbLocalPid)).toBe(false);
    } finally {
      killGroup(dev.child.pid as number);
    }
  });
});
