import type { ReplayResult } from 'dynotally';
import { plural } from '../output/plural.ts';

/** Letters between two progress lines of `dead-letters replay`, by default. */
export const PROGRESS_EVERY_LETTERS = 1_000;
/** The most time between two progress lines while letters are replayed. */
export const PROGRESS_EVERY_MS = 5_000;

/**
 * What a `dead-letters replay` did so far: letters `replayed` (counted now), `skipped` (replayed before, or dropped
 * meanwhile: nothing to do) and `failed` (still poison, or refused: they stay, with their reason).
 *
 * @example
 * ```ts
 * const t = new ReplayTally();
 * t.add(result);
 * t.text(); // '1 replayed, 0 skipped, 0 failed'
 * ```
 */
export class ReplayTally {
  replayed = 0;
  skipped = 0;
  failed = 0;
  /** The first failed letters' ids (at most 100), and how many of all failed ones are late. */
  readonly failedIds: string[] = [];
  readonly lateIds: string[] = [];
  late = 0;

  get done(): number {
    return this.replayed + this.skipped + this.failed;
  }

  add(r: ReplayResult): void {
    if (r.outcome === 'replayed') this.replayed += 1;
    else if (r.outcome === 'already-replayed' || r.outcome === 'not-found') this.skipped += 1;
    else {
      this.failed += 1;
      if (this.failedIds.length < 100) this.failedIds.push(r.id);
      if (r.late === true) {
        this.late += 1;
        if (this.lateIds.length < 100) this.lateIds.push(r.id);
      }
    }
  }

  text(): string {
    const n = (x: number) => x.toLocaleString('en-US');
    return `${n(this.replayed)} replayed, ${n(this.skipped)} skipped (replayed before or dropped), ${n(this.failed)} failed`;
  }
}

/**
 * Progress lines of a long replay, to stderr: one when `everyLetters` more letters are done, or `everyMs` passed,
 * since the last line (whichever comes first; nothing before the first letter is done).
 *
 * @example
 * ```ts
 * const p = replayProgress(tally, (s) => io.stderr(s), { everyLetters: 1_000 });
 * p.tick();
 * ```
 */
export function replayProgress(
  tally: ReplayTally,
  write: (text: string) => void,
  options: { everyLetters?: number; everyMs?: number; now?: () => number } = {},
): { tick(): void } {
  const now = options.now ?? Date.now;
  const everyLetters = options.everyLetters ?? PROGRESS_EVERY_LETTERS;
  const everyMs = options.everyMs ?? PROGRESS_EVERY_MS;
  const start = now();
  let lastAt = start;
  let lastDone = 0;
  return {
    tick() {
      const t = now();
      if (tally.done - lastDone < everyLetters && t - lastAt < everyMs) return;
      lastAt = t;
      lastDone = tally.done;
      const s = Math.max((t - start) / 1000, 0.001);
      write(
        `replay: ${plural(tally.done, 'letter')} so far: ${tally.text()} (${Math.round(s)} s, ${(tally.done / s).toFixed(1)} letters/s)\n`,
      );
    },
  };
}
