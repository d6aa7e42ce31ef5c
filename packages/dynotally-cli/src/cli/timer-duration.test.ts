// Session 19: every duration flag that becomes a wait refuses what Node's timers would turn into 1 ms.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { settleMs } from './commands/rollup-work.ts';
import { timerDurationFlag } from './flags.ts';
import { runCli } from './run-cli.ts';
import { checkTimerMs, MAX_TIMER_MS } from './timer-duration.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('durations that become waits', () => {
  it('take up to 24 days and refuse longer', () => {
    expect(timerDurationFlag.parse('24d')).toBe(24 * 86_400_000);
    expect(timerDurationFlag.safeParse('25d').success).toBe(false);
    expect(timerDurationFlag.safeParse('4w').success).toBe(false);
    expect(checkTimerMs('--x', 'max', MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    expect(() => checkTimerMs('--x', 'more', MAX_TIMER_MS + 1)).toThrow(
      /--x 'more' is too long: a wait is at most 24d/,
    );
    expect(settleMs('24d')).toBe(24 * 86_400_000);
    expect(() => settleMs('30d')).toThrow(/--settle '30d' is too long/);
  });

  it.each([
    [['worker', '--duration', '30d'], '--duration'],
    [['worker', '--apply-timeout', '30d'], '--apply-timeout'],
    [['worker', '--redis', 'redis://127.0.0.1:9', '--flush-every', '4w'], '--flush-every'],
    [['flush', '--redis', 'redis://127.0.0.1:9', '--watch', '--every', '4w'], '--every'],
    [['flush', '--redis', 'redis://127.0.0.1:9', '--watch', '--duration', '30d'], '--duration'],
    [['dev', '--duration', '30d', '--no-open'], '--duration'],
    [['query', 'top', 'favourites', '--timeout', '25d'], '--timeout'],
    [['verify', 'jobs', '--settle', '30d'], '--settle'],
  ])('%j is CONFIG_INVALID before anything runs', async (args, flag) => {
    const io = fakeIo({ cwd: ROOT });
    const code = await runCli([...args, '--endpoint', 'http://127.0.0.1:9'], io);
    expect(io.err).toMatch(/\[CONFIG_INVALID\] .*is too long: a wait is at most 24d/);
    expect(io.err).toContain(flag);
    expect(code).toBe(2);
  });
});
