import { isDynotallyError } from '../errors/index.ts';
import type { Logger } from '../logging/index.ts';
import { REPEAT_EVERY_MS, type RepeatStreaks, repeatStreaks } from '../logging/repeat-streaks.ts';

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
export const REPEAT_LOG_MS = REPEAT_EVERY_MS;

/**
 * The stream handler's log of failed batches: every failure at error level, except a failure the stream worker
 * waits out (`REDIS_UNAVAILABLE`, `REDIS_NOT_REPLICATED`, `BUFFERED_BATCH_UNFINISHED`) that repeats on a shard:
 * its first attempt is logged at error level, the next ones at most once every {@link REPEAT_LOG_MS} at warn
 * level with the count of attempts, and the shard's next applied batch says it went through again. One error line
 * per retry per shard (up to 720 an hour for each shard of a Redis outage) drowned everything else (review s41r).
 * Its streaks are {@link repeatStreaks}' (one streak per shard), the rule the dev stack's failure lines share.
 *
 * @example
 * ```ts
 * const log = new FailureLog(logger);
 * log.failed('shard-1', error, 'batch failed; thrown for Lambda to retry it');
 * log.applied('shard-1');
 * ```
 */
export class FailureLog {
  // one streak per shard: a failure of another code replaces it (said at once), any other failure ends it unsaid
  private readonly streaks: RepeatStreaks;

  constructor(
    private readonly logger: Logger,
    now: () => number = () => Date.now(),
  ) {
    this.streaks = repeatStreaks({
      kindOf: (error) => (isDynotallyError(error) && REPEATED.has(error.code) ? error.code : undefined),
      oneKindAtATime: true,
      everyMs: REPEAT_LOG_MS,
      now,
    });
  }

  /** Logs a failed batch of `shardId` (`message` as the handler words it). */
  failed(shardId: string | undefined, error: unknown, message: string): void {
    const verdict = this.streaks.failed(shardId ?? '', error);
    if (verdict.say === 'alone' || verdict.say === 'first') this.logger.error(message, { shardId, error });
    if (verdict.say !== 'again') return;
    const { kind: code, failures: attempts, since } = verdict.streak;
    this.logger.warn(
      `batches of the shard still fail with ${code}: ${attempts} failed attempts since ${new Date(since).toISOString()} (logged at most once a minute); ${message}`,
      { shardId, code, attempts, since, error },
    );
  }

  /** A batch of `shardId` went through: ends its streak of repeated failures, saying so. */
  applied(shardId: string | undefined): void {
    const ended = this.streaks.succeeded(shardId ?? '');
    if (ended === undefined) return;
    const code = ended.kinds[0];
    this.logger.info(
      `batches of the shard go through again after ${ended.failures} failed attempts with ${code} since ${new Date(ended.since).toISOString()}`,
      { shardId, code, failedAttempts: ended.failures, since: ended.since },
    );
  }
}
