import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { favourProcess, SERVER_NICE } from './favour-process.ts';

/** The nice value of a thread, from /proc (field 19 of stat, after the parenthesised command). */
const niceOf = (pid: number): number =>
  Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);

describe('favourProcess', () => {
  it('raises a process to SERVER_NICE when the run may (root), and leaves it otherwise', async () => {
    const child = spawn('sleep', ['30']);
    try {
      await new Promise((r) => child.once('spawn', r));
      const pid = child.pid as number;
      expect(niceOf(pid)).toBe(0);
      const stop = favourProcess(pid);
      stop();
      expect(niceOf(pid)).toBe(process.getuid?.() === 0 ? SERVER_NICE : 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('does nothing for a process that is gone', () => {
    expect(() => favourProcess(2 ** 22 + 7)()).not.toThrow();
  });
});
