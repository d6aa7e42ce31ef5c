import { isDynotallyError, parseDuration } from 'dynotally';
import { shownText } from 'dynotally/local';
import { z } from 'zod';
import { parseScenarioList } from '../scenarios/generators/index.ts';
import { numericFlag } from './numeric-flag.ts';
import { MAX_TIMER_MS, timerTooLong } from './timer-duration.ts';

/**
 * A duration flag such as `60s`, `15m`, `2h`, parsed to milliseconds.
 *
 * @example
 * ```ts
 * z.object({ duration: durationFlag.optional() }).parse({ duration: '60s' }); // { duration: 60000 }
 * ```
 */
export const durationFlag = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `'${shownText(s)}' is not a duration: write e.g. 90s, 15m, 2h` });
    if (!isDynotallyError(e)) throw e;
    return z.NEVER;
  }
});

/**
 * A duration flag that becomes a wait (`--duration`, `--every`, `--flush-every`): a {@link durationFlag} of at most
 * 24 days (2^31 − 1 ms), since Node's timers fire after 1 ms for anything longer.
 *
 * @example
 * ```ts
 * timerDurationFlag.parse('10m'); // 600000
 * timerDurationFlag.safeParse('30d').success; // false: '30d' is too long: a wait is at most 24d …
 * ```
 */
export const timerDurationFlag = z.string().transform((s, ctx) => {
  let ms: number;
  try {
    ms = parseDuration(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `'${shownText(s)}' is not a duration: write e.g. 90s, 15m, 2h` });
    if (!isDynotallyError(e)) throw e;
    return z.NEVER;
  }
  if (ms > MAX_TIMER_MS) {
    ctx.addIssue({ code: 'custom', message: timerTooLong(s) });
    return z.NEVER;
  }
  return ms;
});

/**
 * Events per second (0 to 10000, fractions allowed).
 *
 * @example
 * ```ts
 * rateFlag.parse('2.5'); // 2.5
 * ```
 */
export const rateFlag = numericFlag('expected a number of events per second, e.g. 20').pipe(
  z.number().min(0, 'a rate is at least 0 events/s').max(10_000, 'a rate is at most 10000 events/s'),
);

/**
 * A TCP port (0 = any free port).
 *
 * @example
 * ```ts
 * portFlag.parse('4700'); // 4700
 * ```
 */
export const portFlag = numericFlag('expected a port number such as 4700').pipe(
  z
    .number()
    .int('expected a whole port number such as 4700')
    .min(0, 'a port is 0 (any free port) to 65535')
    .max(65_535, 'a port is 0 (any free port) to 65535'),
);

/**
 * A comma-separated scenario list (`s0,s4` or `all`).
 *
 * @example
 * ```ts
 * scenariosFlag.parse('s4,s0'); // ['s0', 's4']
 * ```
 */
export const scenariosFlag = z.string().transform((s, ctx) => {
  try {
    return parseScenarioList(s);
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: `'${shownText(s)}' is not a scenario list: use ids s0…s4 separated by commas, or all`,
    });
    if (!isDynotallyError(e)) throw e;
    return z.NEVER;
  }
});

/**
 * `dev --scenarios`: a scenario list, or `none` (no generator: the stack runs the configuration's rollups over
 * the source table you write to yourself).
 *
 * @example
 * ```ts
 * devScenariosFlag.parse('none'); // []
 * devScenariosFlag.parse('all'); // ['s0', 's1', 's2', 's3', 's4']
 * ```
 */
export const devScenariosFlag = z.string().transform((s, ctx) => {
  if (s.trim().toLowerCase() === 'none') return [];
  try {
    return parseScenarioList(s);
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: `'${shownText(s)}' is not a scenario list: use ids s0…s4 separated by commas, all, or none`,
    });
    if (!isDynotallyError(e)) throw e;
    return z.NEVER;
  }
});

/**
 * A whole number from `min` to `max` (counts, limits, sizes), from a non-empty numeric text.
 *
 * @example
 * ```ts
 * countFlagIn(1, 1000).parse('100'); // 100
 * countFlagIn(1, 1000).safeParse('').success; // false
 * ```
 */
export function countFlagIn(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return numericFlag('expected a whole number').pipe(
    z
      .number()
      .int('expected a whole number')
      .min(min, `expected ${min} or more`)
      .max(max, `expected at most ${max}`),
  );
}

/**
 * A non-negative whole number (counts, seeds).
 *
 * @example
 * ```ts
 * countFlag.parse('200'); // 200
 * ```
 */
export const countFlag = countFlagIn(0);
