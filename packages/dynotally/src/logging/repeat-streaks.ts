/**
 * How often a repeated failure is said again (ms): once a minute, with the count.
 *
 * @example
 * ```ts
 * import { REPEAT_EVERY_MS, repeatStreaks } from 'dynotally/local';
 * const streaks = repeatStreaks({ kindOf: (e) => (e as { code?: string }).code, everyMs: REPEAT_EVERY_MS });
 * ```
 */
export const REPEAT_EVERY_MS = 60_000;

/**
 * One streak of failures of a kind from one source, as {@link RepeatStreaks.failed} reports it.
 *
 * @example
 * ```ts
 * const said = (s: Streak) => `${s.failures} failures of ${s.kind} since ${new Date(s.since).toISOString()}`;
 * ```
 */
export interface Streak {
  /** What {@link RepeatStreaksOptions.kindOf} called the failures. */
  readonly kind: string;
  /** When its first failure was reported (epoch ms). */
  readonly since: number;
  /** Failures since the streak began, the one just reported included. */
  readonly failures: number;
  /**
   * Failures since the streak's last line, the one just reported included (`again`); 0 with `first`, whose failure is
   * the streak's first line.
   */
  readonly unsaid: number;
}

/**
 * What to say about a failure: `alone` (not of a kind that repeats: say it, every time), `first` (a streak began:
 * say it now), `again` (a repeat whose line is due: say it with the counts), `nothing` (a repeat within the interval).
 *
 * @example
 * ```ts
 * const v: RepeatVerdict = streaks.failed('shard-1', error);
 * if (v.say === 'again') console.warn(`${v.streak.failures} failures since ${v.streak.since}`);
 * ```
 */
export type RepeatVerdict =
  | { readonly say: 'alone' }
  | { readonly say: 'first'; readonly streak: Streak }
  | { readonly say: 'again'; readonly streak: Streak }
  | { readonly say: 'nothing' };

/**
 * A source's streaks that a success ended: their kinds (in the order they began), every failure of them, and when
 * the first began.
 *
 * @example
 * ```ts
 * const r: Recovery | undefined = streaks.succeeded('shard-1');
 * if (r) console.info(`goes through again after ${r.failures} failures of ${r.kinds.join(', ')}`);
 * ```
 */
export interface Recovery {
  readonly kinds: readonly string[];
  readonly failures: number;
  readonly since: number;
}

/**
 * Options of {@link repeatStreaks}.
 *
 * @example
 * ```ts
 * const options: RepeatStreaksOptions = { kindOf: (e) => (e instanceof Error ? e.name : undefined), oneKindAtATime: true };
 * ```
 */
export interface RepeatStreaksOptions {
  /**
   * What makes two failures of a source "the same": their kind; `undefined` for a failure that is not of a kind
   * that repeats (said every time: `alone`, and it ends the source's streaks without a recovery).
   */
  kindOf(failure: unknown): string | undefined;
  /**
   * A source has one streak at a time: a failure of another kind replaces it (said at once, the old streak's counts
   * dropped). Otherwise (the default) each kind of a source keeps its own streak, and a success ends them all.
   */
  oneKindAtATime?: boolean;
  /** How often a repeat is said again (default {@link REPEAT_EVERY_MS}). */
  everyMs?: number;
  /** The clock (epoch ms; default `Date.now`). */
  now?: () => number;
}

/**
 * The decisions of a rate-limited repeat logger, without its wording: streaks of failures keyed by source and kind.
 * A streak's first failure is said at once, its repeats at most once every `everyMs` with the counts, and the source's
 * next success says it went through again, once.
 *
 * @example
 * ```ts
 * const v = streaks.failed('s0 generator', error);
 * if (v.say !== 'nothing') console.error(`write failed: ${error.message}`);
 * ```
 */
export interface RepeatStreaks {
  /** A failure of `source`: whether, and how, to say it. */
  failed(source: string, failure: unknown): RepeatVerdict;
  /** `source` worked: its streaks end, returned for the one line saying so (`undefined`: it had none). */
  succeeded(source: string): Recovery | undefined;
  /** Whether `source` has a streak going. */
  failing(source: string): boolean;
}

/** Sources (and kinds per source) kept at most: keys that vary without end must not grow the map without end. */
const MAX_SOURCES = 10_000;
const MAX_KINDS = 100;

interface Running {
  kind: string;
  since: number;
  lastSaid: number;
  failures: number;
  unsaid: number;
}

/**
 * Makes a {@link RepeatStreaks}: the one rule behind the Lambda handler's log of waited-out failures (per shard) and the
 * dev stack's failure lines (per generator, probe, worker, S4 buffer), each of which words its own lines.
 *
 * @example
 * ```ts
 * import { repeatStreaks } from 'dynotally/local';
 * const streaks = repeatStreaks({ kindOf: (e) => (e as { code?: string }).code ?? String(e) });
 * const v = streaks.failed('freshness probe', error); // { say: 'first', streak } the first time
 * const r = streaks.succeeded('freshness probe'); // { kinds, failures, since }
 * ```
 */
export function repeatStreaks(options: RepeatStreaksOptions): RepeatStreaks {
  const everyMs = options.everyMs ?? REPEAT_EVERY_MS;
  const now = options.now ?? Date.now;
  const sources = new Map<string, Map<string, Running>>();
  const view = (s: Running): Streak => ({
    kind: s.kind,
    since: s.since,
    failures: s.failures,
    unsaid: s.unsaid,
  });
  return {
    failed(source, failure) {
      const kind = options.kindOf(failure);
      if (kind === undefined) {
        sources.delete(source);
        return { say: 'alone' };
      }
      const t = now();
      let kinds = sources.get(source);
      if (kinds === undefined) {
        if (sources.size >= MAX_SOURCES) sources.clear();
        kinds = new Map();
        sources.set(source, kinds);
      }
      const streak = kinds.get(kind);
      if (streak === undefined) {
        if (options.oneKindAtATime === true || kinds.size >= MAX_KINDS) kinds.clear();
        const begun: Running = { kind, since: t, lastSaid: t, failures: 1, unsaid: 0 };
        kinds.set(kind, begun);
        return { say: 'first', streak: view(begun) };
      }
      streak.failures += 1;
      streak.unsaid += 1;
      if (t - streak.lastSaid < everyMs) return { say: 'nothing' };
      const said = view(streak);
      streak.lastSaid = t;
      streak.unsaid = 0;
      return { say: 'again', streak: said };
    },
    succeeded(source) {
      const kinds = sources.get(source);
      if (kinds === undefined) return undefined;
      sources.delete(source);
      let failures = 0;
      let since = Number.POSITIVE_INFINITY;
      for (const s of kinds.values()) {
        failures += s.failures;
        since = Math.min(since, s.since);
      }
      return { kinds: [...kinds.keys()], failures, since };
    },
    failing(source) {
      return sources.has(source);
    },
  };
}
