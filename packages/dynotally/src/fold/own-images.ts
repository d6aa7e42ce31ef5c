import type { Change, Image } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';

/**
 * Whether a rollup reads an attribute named like a member of `Object.prototype` (`constructor`, `toString`,
 * `__proto__`, `valueOf` …). DynamoDB takes any attribute name, but a stream image is a plain object, so reading such
 * a name from an image that lacks it finds the inherited member: the item was dead-lettered as VALUE_INVALID instead of
 * being skipped as a non-member (and an `exists: false` filter never held).
 *
 * @example
 * ```ts
 * readsInheritedName([defineRollup({ name: 'r', groupBy: 'constructor', granularities: ['all'], measures: { n: count() } }).compiled]); // true
 * ```
 */
export function readsInheritedName(rollups: readonly CompiledRollup[]): boolean {
  return rollups.some((c) => c.reads?.some((name) => name in Object.prototype) === true);
}

/**
 * The change with images that hold their own attributes only (no prototype), so that an attribute named like a
 * member of `Object.prototype` reads as absent when the item lacks it. Used by the fold only for rollups that read such
 * a name ({@link readsInheritedName}): every other fold reads the images as they come, without a copy.
 *
 * @example
 * ```ts
 * ownImagesOf(change).newImage?.constructor; // undefined unless the item has an attribute 'constructor'
 * ```
 */
export function ownImagesOf(change: Change): Change {
  return { ...change, oldImage: ownImage(change.oldImage), newImage: ownImage(change.newImage) };
}

function ownImage(image: Image | undefined): Image | undefined {
  if (image === undefined || Object.getPrototypeOf(image) === null) return image;
  // assigning to an object without a prototype defines '__proto__' as an own attribute too (no inherited setter)
  return Object.assign(Object.create(null) as Image, image);
}
