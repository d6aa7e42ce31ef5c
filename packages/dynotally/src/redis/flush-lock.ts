import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/index.ts';
import { EXTEND_LOCK_SCRIPT, LOCK_SCRIPT, UNLOCK_SCRIPT } from './flush-scripts.ts';
import { redisCall } from './lua-script.ts';

/** Where the flusher lock lives and how long its lease is. */
export interface FlushLockOptions {
  redis: Redis;
  /** The buffer's key prefix: the lock is `<prefix>lock`. */
  prefix: string;
  /** The lease (ms). */
  lockMs: number;
  /** Redis timeout per call (ms). */
  timeoutMs: number;
}

/**
 * The flusher's lease in Redis (`<prefix>lock`, a random token, `PX lockMs`): one flusher at a time works through
 * the buckets. The lease only saves work — every row update is conditioned on the row's flush marker — so a lost
 * lease costs duplicate work, never a wrong count. Every call is an `allow-oom` script: a full Redis must drain.
 *
 * While it is held, the lease renews itself every third of `lockMs` on a timer, so a bucket that takes longer than
 * the lease keeps it; the flusher asks {@link FlushLock.held} before each row and stops once another flusher holds
 * it (a pause longer than the lease — a stopped process, a long GC, a partition from Redis — still loses it, and
 * that is what `held` then says).
 *
 * @example
 * ```ts
 * const lock = await FlushLock.take({ redis, prefix, lockMs: 60_000, timeoutMs: 10_000 });
 * if (lock !== undefined) try { if (lock.held()) await flushRow(); } finally { await lock.release(logger); }
 * ```
 */
export class FlushLock {
  /** `lost`: another flusher held the lock; `failed`: a timed renewal failed (its error in `failure`). */
  private state: 'held' | 'lost' | 'failed' = 'held';
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<unknown> | undefined;
  private released = false;

  private constructor(
    private readonly options: FlushLockOptions,
    private readonly token: string,
  ) {
    this.schedule();
  }

  /** Takes the lock; undefined when another flusher holds it. */
  static async take(options: FlushLockOptions): Promise<FlushLock | undefined> {
    const token = randomUUID();
    // a script declared allow-oom, like every write of the flusher: a full Redis must still drain
    const got = await redisCall(
      LOCK_SCRIPT.run(options.redis, [], [options.prefix, token, String(options.lockMs)]),
      options.timeoutMs,
      'take the flusher lock',
    );
    return got === 1 ? new FlushLock(options, token) : undefined;
  }

  /** The next timed renewal, a third of the lease from now (the timer never keeps the process alive). */
  private schedule(): void {
    if (this.released || this.state !== 'held') return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.renewing = this.renew()
          .catch((e: unknown) => {
            if (this.state !== 'held') return;
            this.state = 'failed';
            this.failure = e;
          })
          .finally(() => {
            this.renewing = undefined;
            this.schedule();
          });
      },
      Math.max(1, Math.floor(this.options.lockMs / 3)),
    );
    this.timer.unref?.();
  }

  /**
   * True while this flusher holds the lease as far as the last renewal knows; false once a renewal found another
   * flusher holding it.
   *
   * @throws the error of a timed renewal that failed (Redis unreachable: `REDIS_UNAVAILABLE`), as a failed call of
   * the flush itself would
   */
  held(): boolean {
    if (this.state === 'failed') throw this.failure;
    return this.state === 'held';
  }

  /**
   * Extends the lock, or takes it again if it ran out and nobody took it; false when another flusher holds it (and
   * from then on: this flusher never takes it back, the other one may be working on the same bucket).
   */
  async renew(): Promise<boolean> {
    if (this.state === 'lost') return false;
    const { redis, prefix, lockMs, timeoutMs } = this.options;
    const args = [prefix, this.token, String(lockMs)];
    const held =
      (await redisCall(EXTEND_LOCK_SCRIPT.run(redis, [], args), timeoutMs, 'renew the flusher lock')) === 1 ||
      (await redisCall(LOCK_SCRIPT.run(redis, [], args), timeoutMs, 'take the flusher lock again')) === 1;
    if (!held) this.state = 'lost';
    return held;
  }

  /**
   * Stops the timed renewals (waiting for one in flight), then deletes the lock if this flusher still holds it; a
   * failure is logged (the lease expires by itself).
   */
  async release(logger: Logger): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
    const { redis, prefix, timeoutMs } = this.options;
    await redisCall(
      UNLOCK_SCRIPT.run(redis, [], [prefix, this.token]),
      timeoutMs,
      'release the flusher lock',
    ).catch((e: unknown) => {
      logger.warn('could not release the flusher lock; it expires by itself', { error: e });
    });
  }
}
