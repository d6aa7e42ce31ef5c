import type { Random } from './prng.ts';
import type { SourceItem } from './types.ts';

/**
 * The items a generator wrote and may still modify or delete: a bounded pool (the oldest candidates are
 * forgotten — they stay in the table, the generator just stops touching them), with O(1) random pick and
 * removal.
 *
 * @example
 * ```ts
 * const live = new LiveItems(1000);
 * live.add(item);
 * const victim = live.take(random); // removed from the pool
 * ```
 */
export class LiveItems {
  private readonly items: SourceItem[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds or replaces (same `pk`/`sk`) an item. */
  add(item: SourceItem): void {
    const key = keyOf(item);
    const at = this.index.get(key);
    if (at !== undefined) {
      this.items[at] = item;
      return;
    }
    if (this.items.length >= this.capacity) this.removeAt(0);
    this.index.set(key, this.items.length);
    this.items.push(item);
  }

  /** True when an item with this key is in the pool. */
  has(pk: string, sk: string): boolean {
    return this.index.has(`${pk}\u0000${sk}`);
  }

  /** Removes the item with this key; returns it, or `undefined` when it is not in the pool. */
  remove(pk: string, sk: string): SourceItem | undefined {
    const at = this.index.get(`${pk}\u0000${sk}`);
    if (at === undefined) return undefined;
    const item = this.items[at];
    this.removeAt(at);
    return item;
  }

  /** A random item, left in the pool. */
  pick(random: Random): SourceItem | undefined {
    if (this.items.length === 0) return undefined;
    return this.items[Math.floor(random.next() * this.items.length)];
  }

  /** A random item, removed from the pool. */
  take(random: Random): SourceItem | undefined {
    if (this.items.length === 0) return undefined;
    const at = Math.floor(random.next() * this.items.length);
    const item = this.items[at];
    this.removeAt(at);
    return item;
  }

  private removeAt(at: number): void {
    const item = this.items[at] as SourceItem;
    const last = this.items.pop() as SourceItem;
    this.index.delete(keyOf(item));
    if (at < this.items.length) {
      this.items[at] = last;
      this.index.set(keyOf(last), at);
    }
  }
}

function keyOf(item: SourceItem): string {
  return `${item.pk}\u0000${item.sk}`;
}
