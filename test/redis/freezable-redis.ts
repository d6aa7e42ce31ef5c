// A Redis client a test can cut off for a while: a flusher whose lease renewals cannot reach Redis (a stopped
// process, a long GC, a partition) while the test's own process — and the other flusher in it — goes on.
import type { Redis } from 'ioredis';

/**
 * Wraps `redis` so that, while frozen, every script call (`evalsha` / `eval`: the flusher's lease, seal, stored-value
 * hints and done mark are all scripts) waits and is sent only when thawed. `thaw()` settles once no script call of the
 * client is in flight any more, so a test knows what the held renewal told the flusher before it lets it go on.
 *
 * @example
 * ```ts
 * const cut = freezableRedis(env.redis);
 * const a = createFlusher({ ...options, redis: cut.client, lockMs: 300 });
 * cut.freeze(); // A's renewals wait; its lease runs out
 * await cut.thaw(); // A's held renewal ran: it knows another flusher holds the lock
 * ```
 */
export function freezableRedis(redis: Redis): {
  client: Redis;
  freeze(): void;
  thaw(): Promise<void>;
} {
  let gate: { opened: Promise<void>; open(): void } | undefined;
  const inflight = new Set<Promise<void>>();
  const client = new Proxy(redis, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (prop !== 'evalsha' && prop !== 'eval') return fn;
      return (...args: unknown[]) => {
        const call =
          gate === undefined ? (fn(...args) as Promise<unknown>) : gate.opened.then(() => fn(...args));
        const settled = call.then(
          () => {},
          () => {},
        );
        inflight.add(settled);
        void settled.then(() => inflight.delete(settled));
        return call;
      };
    },
  });
  return {
    client,
    freeze() {
      let open: () => void = () => {};
      const opened = new Promise<void>((r) => (open = r));
      gate = { opened, open };
    },
    async thaw() {
      gate?.open();
      gate = undefined;
      // until no script call is in flight across a turn of the event loop: a renewal is two calls in a row
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (inflight.size === 0) return;
        await Promise.all(inflight);
      }
    },
  };
}
