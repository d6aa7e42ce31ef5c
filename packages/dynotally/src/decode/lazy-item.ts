import type { Image } from './change.ts';
import { type PlainItem, toPlain } from './to-plain.ts';

/**
 * An image with its plain view computed on first use only: user callbacks (predicates, group functions)
 * pay for the conversion, attribute-equality filters never do. Reused across records (no allocation).
 *
 * @example
 * ```ts
 * const lazy = new LazyItem();
 * lazy.reset(change.newImage!);
 * lazy.plain().customerId;
 * ```
 */
export class LazyItem {
  private image: Image = {};
  private cached: PlainItem | undefined;

  /** Points at another image. */
  reset(image: Image): void {
    this.image = image;
    this.cached = undefined;
  }

  /** The plain view of the current image. */
  plain(): PlainItem {
    if (this.cached === undefined) this.cached = toPlain(this.image);
    return this.cached;
  }
}
