import { REPEAT_EVERY_MS, repeatStreaks } from 'dynotally/local';
import { plural } from '../cli/output/plural.ts';

/**
 * How often a source's repeated failure is said again (ms): once a minute, with the count.
 *
 * @example
 * ```ts
 * const lines = repeatedLines(console.error, { everyMs: REPEAT_LINE_MS });
 * ```
 */
export const REPEAT_LINE_MS = REPEAT_EVERY_MS;

/**
 * The dev stack's failure lines, one source at a time (`s0 generator`, `freshness probe`, `worker`): a source's
 * first failure of a kind is said at once, its repeats at most once every {@link REPEAT_LINE_MS} with the count, and
 * its next success once (`… goes through again after 312 failed attempts since …`). A failure of another kind (another
 * error code, or another message without one) is a streak of its own, so it is said at once too. With `--endpoint`,
 * an outage of the DynamoDB the user runs printed a line per failed write, several a second per scenario (review
 * s41s). The streaks are the library's `repeatStreaks` (`dynotally/local`), the rule of the Lambda handler's log of
 * waited-out failures; these lines are its dev-stack wording.
 *
 * @example
 * ```ts
 * const lines = repeatedLines((line) => process.stderr.write(`${line}\n`));
 * lines.failed('s0 generator', error, `s0 generator: write failed: ${error.message}`);
 * lines.succeeded('s0 generator', 'writes go through'); // 's0 generator: writes go through again after 1 failed attempt …'
 * ```
 */
export interface RepeatedLines {
  /**
   * A failure of `source`, `line` being how it would be said on its own. `about` (the worker's warning, without its
   * error) joins the error's kind: one source (`worker`) with a streak per warning, ended by one success.
   */
  failed(source: string, error: unknown, line: string, about?: string): void;
  /** `source` worked (`what`: `writes go through`, `reads answer`): ends its streaks, saying so once. */
  succeeded(source: string, what: string): void;
}

/**
 * Makes the {@link RepeatedLines} of one dev stack.
 *
 * @example
 * ```ts
 * const lines = repeatedLines(console.error, { everyMs: 60_000 });
 * ```
 */
export function repeatedLines(
  log: (line: string) => void,
  options: { everyMs?: number; now?: () => number } = {},
): RepeatedLines {
  const streaks = repeatStreaks({
    kindOf: (failure) => {
      const { error, about } = failure as { error: unknown; about: string | undefined };
      return about === undefined ? kindOf(error) : `${about} | ${kindOf(error)}`;
    },
    ...options,
  });
  return {
    failed(source, error, line, about) {
      const verdict = streaks.failed(source, { error, about });
      if (verdict.say === 'first' || verdict.say === 'alone')
        log(`${line} (repeats: once a minute, with a count)`);
      if (verdict.say !== 'again') return;
      const { unsaid, failures, since } = verdict.streak;
      log(
        `${line} (${plural(unsaid, 'more failure')} like it since the last line, ${failures} since ${clock(since)}; said at most once a minute)`,
      );
    },
    succeeded(source, what) {
      const ended = streaks.succeeded(source);
      if (ended === undefined) return;
      log(
        `${source}: ${what} again after ${plural(ended.failures, 'failed attempt')} since ${clock(ended.since)}`,
      );
    },
  };
}

/** What makes two failures "the same": the error's code (DynotallyError, Node's `ECONNREFUSED`), else its name, else its message. */
function kindOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  if (error.name !== 'Error' && error.name !== 'TypeError') return error.name;
  return error.message;
}

function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}
