import { isDynotallyError } from '../errors/index.ts';
import type { Logger } from '../logging/index.ts';

/**
 * Codes a stream worker waits out, retrying the batch with backoff for as long as they last (Redis down, its replicas
 * behind, a batch the buffer took but could not finish): logged once, then at most once a minute per shard.
 */
const REPEATED: ReadonlySet<string> = new Set([
  'REDIS_UNAVAILABLE',
  'REDIS_NOT_REPLICATED',
  'BUFFERED_BATCH_UNFINISHED',
]);

/** How often a shard's repeated failure is logged again (ms): once a minute, with the count of attempts. */
export const REPEAT_LOG_MS = 60_000;

interface Streak {
  code: string;
  since: number;
  lastLogged: number;
  attempts: number;
}

/**
 * The stream handler's log of failed batches: every failure at error level, except a failure the stream worker
 * waits out (`REDIS_UNAVAILABLE`, `REDIS_NOT_REPLICATED`, `BUFFERED_BATCH_UNFINISHED`) that repeats on a shard:
 * its first attempt is logged at error level, the next ones at most once every {@link REPEAT_LOG_MS} at warn
 * level with the count of attempts, and the shard's next applied batch says it went through again. One error line
 * per retry per shard (up to 720 an hour for each shard of a Redis outage) drowned everything else (review s41r).
 *
 * @example
 * ```ts
 * const log = new FailureLog(logger);
 * log.failed('shard-1', error, 'batch failed; thrown for Lambda to retry it');
 * log.applied('shard-1');
 * ```
 */
export class FailureLog {
  private readonly streaks = new Map<string, Streak>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Logs a failed batch of `shardId` (`message` as the handler words it). */
  failed(shardId: string | undefined, error: unknown, message: string): void {
    const key = shardId ?? '';
    const code = isDynotallyError(error) && REPEATED.has(error.code) ? error.code : undefined;
    const streak = this.streaks.get(key);
    const now = this.now();
    if (code === undefined || streak === undefined || streak.code !== code) {
      this.logger.error(message, { shardId, error });
      if (code === undefined) this.streaks.delete(key);
      else {
        if (this.streaks.size >= 10_000) this.streaks.clear();
        this.streaks.set(key, { code, since: now, lastLogged: now, attempts: 1 });
      }
      return;
    }
    streak.attempts += 1;
    if (now - streak.lastLogged < REPEAT_LOG_MS) return;
    streak.lastLogged = now;
    this.logger.warn(
      `batches of the shard still fail with ${code}: ${streak.attempts} failed attempts since ${new Date(streak.since).toISOString()} (logged at most once a minute); ${message}`,
      { shardId, code, attempts: streak.attempts, since: streak.since, error },
    );
  }

  /** A batch of `shardId` went through: ends its streak of repeated failures, saying so. */
  applied(shardId: string | undefined): void {
    const key = shardId ?? '';
    const streak = this.streaks.get(key);
    if (streak === undefined) return;
    this.streaks.delete(key);
    this.logger.info(
      `batches of the shard go through again after ${streak.attempts} failed attempts with ${streak.code} since ${new Date(streak.since).toISOString()}`,
      { shardId, code: streak.code, failedAttempts: streak.attempts, since: streak.since },
    );
  }
}
