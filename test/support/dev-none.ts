// `dynotally dev --scenarios none` as a child process (the built bin), its output collected as it comes: the dev
// stack on a user's configuration, for the CLI tests that start it, feed its source table and stop it with Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN, CLI_CWD, cliEnv } from './cli.ts';

/** A running `dynotally dev --json --scenarios none`. */
export interface DevNone {
  readonly child: ChildProcess;
  /** Its stdout so far (one JSON line per event). */
  out(): string;
  /** Its stderr so far. */
  err(): string;
  /** Resolves with its exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `dynotally dev --json --port 0 --no-open --scenarios none <args…>` from {@link BIN}, in {@link CLI_CWD}.
 * Kill it in a `finally` (`child.kill('SIGKILL')` while `child.exitCode === null`).
 *
 * @example
 * ```ts
 * const dev = startDevNone(['-c', config, ...flags]);
 * await expect.poll(() => dev.out().includes('"event":"started"')).toBe(true);
 * dev.child.kill('SIGINT');
 * expect(await dev.exited).toBe(0);
 * ```
 */
export function startDevNone(args: readonly string[]): DevNone {
  const child = spawn(
    process.execPath,
    [BIN, 'dev', '--json', '--port', '0', '--no-open', '--scenarios', 'none', ...args],
    { cwd: CLI_CWD, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}
