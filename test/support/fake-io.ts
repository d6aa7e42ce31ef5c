// A CLI `io` for tests that run `runCli` in process: what the command prints is kept, nothing reaches the terminal.
import { join } from 'node:path';
import type { CliIo } from '../../packages/dynotally-cli/src/cli/io.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * An `io` that collects stdout in `out` and stderr in `err`, is not a TTY, and has the environment `env` (default
 * none) and the working directory `cwd` (default the repository root).
 *
 * @example
 * ```ts
 * const io = fakeIo();
 * expect(await runCli(['query', 'total', 'jobs'], io)).toBe(2);
 * expect(io.err).toMatch(/CONFIG_INVALID/);
 * ```
 */
export function fakeIo({
  env = {},
  cwd = REPO_ROOT,
}: {
  env?: Record<string, string>;
  cwd?: string;
} = {}): CliIo & {
  out: string;
  err: string;
} {
  const io = {
    out: '',
    err: '',
    stdout: (s: string) => {
      io.out += s;
    },
    stderr: (s: string) => {
      io.err += s;
    },
    isTTY: false,
    env,
    cwd,
  };
  return io;
}
