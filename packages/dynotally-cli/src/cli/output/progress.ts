import type { CliIo } from '../io.ts';

/**
 * Options of {@link createProgress}.
 *
 * @example
 * ```ts
 * createProgress(io, { everyMs: 10_000 });
 * ```
 */
export interface ProgressOptions {
  /** On a non-TTY, print a line at most this often (default 5 s). */
  everyMs?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
}

/**
 * A progress reporter: a live line on a terminal, periodic plain lines otherwise.
 *
 * @example
 * ```ts
 * const p: Progress = createProgress(io);
 * p.update('40 %');
 * p.done('done');
 * ```
 */
export interface Progress {
  /** Shows `text` as the current progress (rate-limited when not a TTY). */
  update(text: string): void;
  /** Ends the live line (prints `text` as a final line, when given). */
  done(text?: string): void;
}

/**
 * Progress for long work, written to stderr so `--json` output on stdout stays clean: on a TTY one line
 * rewritten in place; otherwise a plain line every `everyMs` (so logs and CI show that work goes on).
 *
 * @example
 * ```ts
 * const progress = createProgress(io);
 * progress.update('written 1,200 events (40/s)');
 * progress.done('written 2,400 events');
 * ```
 */
export function createProgress(io: CliIo, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const every = options.everyMs ?? 5_000;
  let lastPrinted = Number.NEGATIVE_INFINITY;
  let live = false;
  return {
    update(text) {
      if (io.isTTY) {
        io.stderr(`\r\u001b[2K${text}`);
        live = true;
        return;
      }
      const t = now();
      if (t - lastPrinted < every) return;
      lastPrinted = t;
      io.stderr(`${text}\n`);
    },
    done(text) {
      if (live) io.stderr('\r\u001b[2K');
      live = false;
      if (text !== undefined) io.stderr(`${text}\n`);
    },
  };
}
