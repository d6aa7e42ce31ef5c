import { DynotallyError } from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';

/**
 * The longest wait Node's timers take: `setTimeout` / `setInterval` store the delay as a signed 32-bit number of
 * milliseconds and fire after 1 ms instead for anything longer (2^31 − 1 ms, 24 days 20 h 31 min 23.647 s).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** {@link MAX_TIMER_MS} as a user writes it, rounded down to whole days. */
const MAX_TIMER_TEXT = '24d';

/**
 * Refuses a duration flag that a timer would turn into 1 ms: `CONFIG_INVALID` naming the flag and the maximum.
 * Every flag whose value becomes a `setTimeout` / `setInterval` (`--duration`, `--timeout`, `--every`,
 * `--flush-every`, `--settle`) goes through it, so a long value is refused before anything runs rather than firing
 * at once.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when `ms` is longer than {@link MAX_TIMER_MS}.
 * @example
 * ```ts
 * checkTimerMs('--duration', '10m', 600_000); // 600000
 * checkTimerMs('--duration', '30d', 2_592_000_000); // throws CONFIG_INVALID: at most 24d
 * ```
 */
export function checkTimerMs(flag: string, text: string, ms: number): number {
  if (ms <= MAX_TIMER_MS) return ms;
  throw new DynotallyError('CONFIG_INVALID', `${flag} ${timerTooLong(text)}`, {
    details: { flag, value: shownDetail(text), maxMs: MAX_TIMER_MS },
  });
}

/**
 * What is wrong with a duration longer than a timer takes (the flag's name goes before it).
 *
 * @example
 * ```ts
 * timerTooLong('30d'); // "'30d' is too long: a wait is at most 24d (2147483647 ms, …)"
 * ```
 */
export function timerTooLong(text: string): string {
  return `'${shownText(text)}' is too long: a wait is at most ${MAX_TIMER_TEXT} (${MAX_TIMER_MS} ms, the longest Node's timers take)`;
}
