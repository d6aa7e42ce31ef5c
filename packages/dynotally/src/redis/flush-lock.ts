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
 * @example
 * ```ts
 * const lock = await FlushLock.take({ redis, prefix, lockMs: 60_000, timeoutMs: 10_000 });
 * if (lock !== undefined) try { … } finally { await lock.release(logger); }
 * ```
 */
export class FlushLock {
  private constructor(
    private readonly options: FlushLockOptions,
    private readonly token: string,
  ) {}

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

  /** Extends the lock, or takes it again if it ran out and nobody took it; false when another flusher holds it. */
  async renew(): Promise<boolean> {
    const { redis, prefix, lockMs, timeoutMs } = this.options;
    const args = [prefix, this.token, String(lockMs)];
    if ((await redisCall(EXTEND_LOCK_SCRIPT.run(redis, [], args), timeoutMs, 'renew the flusher lock')) === 1)
      return true;
    return (
      (await redisCall(LOCK_SCRIPT.run(redis, [], args), timeoutMs, 'take the flusher lock again')) === 1
    );
  }

  /** Deletes the lock if this flusher still holds it; a failure is logged (the lease expires by itself). */
  async release(logger: Logger): Promise<void> {
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
