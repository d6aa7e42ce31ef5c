/**
 * A short-lived cache of states by selection, bounded in time and size. `GET /api/state` is keyed by query values
 * any page can choose (`?store=…`), so an entry lives only for the cache window (older ones are swept on every
 * lookup) and at most `maxKeys` keys are kept (the oldest go first): a page that asks for endless distinct
 * selections cannot grow the dev stack's memory. A build that fails is dropped at once.
 *
 * @example
 * ```ts
 * const cache = new StateCache<number>({ windowMs: 300, maxKeys: 32 });
 * await cache.get('meter-01|', Date.now(), async () => 42); // built
 * await cache.get('meter-01|', Date.now(), async () => 43); // 42, from the cache within 300 ms
 * ```
 */
export class StateCache<T> {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** In insertion order, which is build order: a rebuilt key is deleted and set again. */
  readonly #entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(options: { windowMs: number; maxKeys: number }) {
    this.#windowMs = options.windowMs;
    this.#maxKeys = Math.max(1, options.maxKeys);
  }

  /** The cached value of `key` built within the window before `now`, else `build()`'s, cached. */
  get(key: string, now: number, build: () => Promise<T>): Promise<T> {
    this.#sweep(now);
    const cached = this.#entries.get(key);
    if (cached !== undefined) return cached.value;
    const value = build();
    while (this.#entries.size >= this.#maxKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const entry = { at: now, value };
    this.#entries.set(key, entry);
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return value;
  }

  /** How many keys are held (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops the entries built `windowMs` or more before `now` (a clock that went back drops them too). */
  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      const age = now - entry.at;
      if (age >= this.#windowMs || age < 0) this.#entries.delete(key);
    }
  }
}
