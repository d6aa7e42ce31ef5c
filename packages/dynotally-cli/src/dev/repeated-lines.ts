/**
 * How often a source's repeated failure is said again (ms): once a minute, with the count.
 *
 * @example
 * ```ts
 * const lines = repeatedLines(console.error, { everyMs: REPEAT_LINE_MS });
 * ```
 */
export const REPEAT_LINE_MS = 60_000;

interface Streak {
  since: number;
  lastSaid: number;
  /** Failures of this kind since the streak began, and since its last line. */
  failures: number;
  unsaid: number;
}

/**
 * The dev stack's failure lines, one source at a time (`s0 generator`, `freshness probe`, `worker`): a source's
 * first failure of a kind is said at once, its repeats at most once every {@link REPEAT_LINE_MS} with the count, and
 * its next success once (`… goes through again after 312 failed attempts since …`). A failure of another kind (another
 * error code, or another message without one) is a streak of its own, so it is said at once too. With `--endpoint`,
 * an outage of the DynamoDB the user runs printed a line per failed write, several a second per scenario (review
 * s41s).
 *
 * @example
 * ```ts
 * const lines = repeatedLines((line) => process.stderr.write(`${line}\n`));
 * lines.failed('s0 generator', error, `s0 generator: write failed: ${error.message}`);
 * lines.succeeded('s0 generator', 'writes go through'); // 's0 generator: writes go through again after 1 failed attempt …'
 * ```
 */
export interface RepeatedLines {
  /** A failure of `source`, `line` being how it would be said on its own. */
  failed(source: string, error: unknown, line: string): void;
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
  const everyMs = options.everyMs ?? REPEAT_LINE_MS;
  const now = options.now ?? Date.now;
  const streaks = new Map<string, Map<string, Streak>>();
  return {
    failed(source, error, line) {
      const kinds = streaks.get(source) ?? new Map<string, Streak>();
      streaks.set(source, kinds);
      const kind = kindOf(error);
      const t = now();
      const streak = kinds.get(kind);
      if (streak === undefined) {
        if (kinds.size >= 100) kinds.clear(); // messages without a code can vary without end
        kinds.set(kind, { since: t, lastSaid: t, failures: 1, unsaid: 0 });
        log(`${line} (repeats: once a minute, with a count)`);
        return;
      }
      streak.failures += 1;
      streak.unsaid += 1;
      if (t - streak.lastSaid < everyMs) return;
      log(
        `${line} (${plural(streak.unsaid, 'more failure')} like it since the last line, ${streak.failures} since ${clock(streak.since)}; said at most once a minute)`,
      );
      streak.lastSaid = t;
      streak.unsaid = 0;
    },
    succeeded(source, what) {
      const kinds = streaks.get(source);
      if (kinds === undefined) return;
      streaks.delete(source);
      let failures = 0;
      let since = Number.POSITIVE_INFINITY;
      for (const s of kinds.values()) {
        failures += s.failures;
        since = Math.min(since, s.since);
      }
      log(`${source}: ${what} again after ${plural(failures, 'failed attempt')} since ${clock(since)}`);
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

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}
