import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { isKilledScript, isScriptError } from './script-error.ts';

/**
 * A Lua script run with `EVALSHA`, falling back to `EVAL` once when the server does not know it yet
 * (`NOSCRIPT`: a fresh or restarted server). The caller's client is used as is; nothing is registered on it.
 * A script that starts with a shebang of flags ({@link ALLOW_OOM}) is sent without that line to a server that
 * cannot compile it (Redis before 7.0 knows no script flags): it then runs as a plain script would.
 *
 * @example
 * ```ts
 * const ping = new LuaScript("return 'pong'");
 * await ping.run(redis, [], []); // 'pong'
 * ```
 */
export class LuaScript {
  readonly sha: string;
  /** The script without its flags, once a server could not compile them (then used from the start). */
  private plain: LuaScript | undefined;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with these keys and arguments; rejects with the server's error. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.plain !== undefined) return this.plain.run(redis, keys, args);
    // one array, which ioredis flattens: spreading keys and arguments into the call puts each on the stack, and
    // past about 130,000 of them (a flush chunk's stored hints) V8 throws "Maximum call stack size exceeded"
    const all: string[] = [...keys];
    for (let i = 0; i < args.length; i++) all.push(String(args[i]));
    try {
      return await redis.evalsha(this.sha, keys.length, all);
    } catch (e) {
      if (!messageOf(e).startsWith('NOSCRIPT')) throw e;
      try {
        return await redis.eval(this.source, keys.length, all);
      } catch (e2) {
        if (!this.source.startsWith('#!') || !/Error compiling script/i.test(messageOf(e2))) throw e2;
        this.plain = new LuaScript(this.source.slice(this.source.indexOf('\n') + 1));
        return await this.plain.run(redis, keys, args);
      }
    }
  }
}

function messageOf(e: unknown): string {
  return String((e as Error)?.message ?? '');
}

/**
 * Settles with `promise`, or rejects with `REDIS_UNAVAILABLE` after `ms` (the command may still run later: the
 * buffer's scripts are conditioned on the shard watermark, so a late run changes nothing or is journaled).
 * A script that fails inside Redis (a Lua error: {@link isScriptError}) rejects with `REDIS_SCRIPT_FAILED`: a bug,
 * not an outage, so no caller takes it for "Redis down" (the direct fallback, a rejoin retried later). A script
 * killed with `SCRIPT KILL` ({@link isKilledScript}) wrote nothing: `REDIS_UNAVAILABLE`, with `details.killed`. Any
 * other failure is wrapped in `REDIS_UNAVAILABLE`, with the original error as `cause`.
 *
 * @example
 * ```ts
 * const wm = await redisCall(redis.hget(key, 'wm'), 2_000, 'read the shard watermark');
 * ```
 */
export async function redisCall<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DynotallyError(
            'REDIS_UNAVAILABLE',
            `Redis did not answer within ${ms} ms (${what}): check that it is up and reachable`,
            {
              details: { timeoutMs: ms, operation: what },
            },
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (e) {
    if (isDynotallyError(e)) throw e;
    if (isKilledScript(e)) {
      throw new DynotallyError(
        'REDIS_UNAVAILABLE',
        `Redis killed a dynotally script (${what}) with SCRIPT KILL — an operator, or Sentinel, stopped a script that ran past busy-reply-threshold; it wrote nothing: retry`,
        { details: { operation: what, killed: true }, cause: e },
      );
    }
    if (isScriptError(e)) {
      throw new DynotallyError(
        'REDIS_SCRIPT_FAILED',
        `a dynotally script failed inside Redis (${what}): ${(e as Error).message} — this is a bug (or a Redis the script does not support), not an outage: report it with this message`,
        { details: { operation: what }, cause: e },
      );
    }
    throw new DynotallyError(
      'REDIS_UNAVAILABLE',
      `Redis failed to ${what}: ${(e as Error)?.message ?? String(e)}`,
      {
        details: { operation: what },
        cause: e,
      },
    );
  } finally {
    clearTimeout(timer);
    promise.catch(() => {}); // a late rejection after the timeout is expected and must not be unhandled
  }
}

/**
 * The first line of a script Redis must run also when it is out of memory (`#!lua flags=allow-oom`, Redis 7+).
 *
 * @example
 * ```ts
 * const drain = new LuaScript(`${ALLOW_OOM}return redis.call('DEL', ARGV[1])`);
 * ```
 */
export const ALLOW_OOM = '#!lua flags=allow-oom\n';
