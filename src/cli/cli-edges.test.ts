// Issue 11 #13/#14 and issue 12's first-hour CLI items, in process: flags given without the mode they
// belong to, regions and SDK configuration errors, --version.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './io.ts';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function fakeIo(env: Record<string, string> = {}): CliIo & { out: string; err: string } {
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
    cwd: ROOT,
  };
  return io;
}

describe('worker: buffered-only flags without --redis (issue 11 #13)', () => {
  it.each([
    [['--bucket', '5m'], '--bucket only applies'],
    [['--bucket', '15m'], '--bucket only applies'], // the default value, given: still refused
    [['--on-redis-down', 'fail'], '--on-redis-down only applies'],
    [['--key-prefix', 'x:'], '--key-prefix only applies'],
    [['--flush-every', '1m', '--bucket', '1m'], '--bucket, --flush-every only apply'],
  ])('worker %j is refused with exit code 2 before anything runs', async (flags, message) => {
    const io = fakeIo();
    const code = await runCli(['worker', '--endpoint', 'http://127.0.0.1:9', ...flags], io);
    expect(io.err).toContain(`[CONFIG_INVALID] worker: ${message} to buffered mode: add --redis <url>`);
    expect(code).toBe(2);
  });
});
