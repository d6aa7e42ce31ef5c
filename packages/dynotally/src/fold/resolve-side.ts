import type { AttributeValue } from 'aws-lambda';
import type { Change, Image, LazyItem } from '../decode/index.ts';
import { readNumber, readScalar } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { groupPartitionKey } from '../layout/group-key.ts';
import { checkPartitionKey } from '../layout/key-limits.ts';
import type { Num } from '../numbers/index.ts';
import { isWellFormedText } from '../strings/well-formed.ts';
import { assertInstant } from '../time/index.ts';
import { eventTime } from './event-time.ts';
import { checkGroupFnNames, checkGroupFnValue } from './group-fn-value.ts';
import type { GroupKeyCache, GroupLeaf } from './group-key-cache.ts';

/**
 * One side (old or new image) of a change, resolved for one rollup before anything is accumulated, so a
 * record that fails halfway leaves the coalescer untouched. Reused between records (no allocation).
 */
export interface Side {
  member: boolean;
  pk: string;
  /** The interned group, when grouped by attributes (undefined for a groupBy function). */
  leaf: GroupLeaf | undefined;
  time: number;
  /** Per measure: the value it contributes (count: 1), or undefined when its filter rejects the item. */
  values: (Num | string | boolean | undefined)[];
  /** Reusable holder for the group attribute values. */
  scratch: (AttributeValue | undefined)[];
}

/**
 * A fresh, reusable {@link Side}.
 *
 * @example
 * ```ts
 * const side = newSide(rollup.compiled.measures.length);
 * ```
 */
export function newSide(measures: number): Side {
  return {
    member: false,
    pk: '',
    leaf: undefined,
    time: 0,
    values: new Array(measures).fill(undefined),
    scratch: [],
  };
}

/**
 * Resolves membership, group key, event time and measure values of an image into `side`.
 *
 * @example
 * ```ts
 * resolveSide(rollup.compiled, change.newImage!, change, side, new LazyItem(), new GroupKeyCache('r'));
 * if (side.member) console.log(side.pk, side.time);
 * ```
 */
export function resolveSide(
  c: CompiledRollup,
  image: Image,
  change: Change,
  side: Side,
  item: LazyItem,
  keys: GroupKeyCache,
): void {
  item.reset(image);
  side.member = false;
  if (c.match !== undefined && !c.match(image, item)) return;
  const attrs = c.groupAttributes;
  if (attrs !== undefined) {
    const leaf = groupLeaf(c, attrs, image, keys, side.scratch);
    if (leaf === undefined) return;
    side.leaf = leaf;
    side.pk = leaf.pk;
  } else {
    const pk = groupFnKey(c, item);
    if (pk === undefined) return;
    side.leaf = undefined;
    side.pk = pk;
  }
  side.member = true;
  side.time = eventTime(c, image, change);
  // every bucket of the rollup is computable for a time in the calendar's range: checked here, not when the
  // buckets are taken during accumulation (after other rollups or the other image were already added)
  assertInstant(side.time);
  const ms = c.measures;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (m.where !== undefined && !m.where(image, item)) {
      side.values[i] = undefined;
      continue;
    }
    if (m.kind === 'count') side.values[i] = 1;
    else if (m.kind === 'sum' || m.kind === 'min' || m.kind === 'max')
      side.values[i] = readNumber(image, m.attribute as string);
    else {
      const v = readScalar(image, m.attribute as string);
      if (typeof v === 'string') checkLastValue(c, m.attribute as string, v);
      side.values[i] = v === null ? undefined : v;
    }
  }
}

function groupLeaf(
  c: CompiledRollup,
  attrs: readonly string[],
  image: Image,
  keys: GroupKeyCache,
  scratch: (AttributeValue | undefined)[],
): GroupLeaf | undefined {
  for (let i = 0; i < attrs.length; i++) scratch[i] = image[attrs[i] as string];
  const leaf = keys.get(scratch, attrs);
  if (leaf !== undefined) return leaf;
  if (c.match === undefined) return undefined; // no explicit filter: items without the group attributes are not members
  const missing = attrs.find((a) => image[a] === undefined || image[a]?.NULL !== undefined);
  throw new DynotallyError(
    'VALUE_INVALID',
    `rollup '${c.name}': a matching item has no '${missing}' to group by`,
    {
      details: { rollup: c.name, attribute: missing },
    },
  );
}

function groupFnKey(c: CompiledRollup, item: LazyItem): string | undefined {
  const g = (c.groupFn as NonNullable<CompiledRollup['groupFn']>)(item.plain());
  if (g === undefined) return undefined;
  const names = Object.keys(g).sort();
  if (names.length === 0) {
    throw new DynotallyError('VALUE_INVALID', `rollup '${c.name}': groupBy returned an empty object`, {
      details: { rollup: c.name },
    });
  }
  if (c.groupNames !== undefined) checkGroupFnNames(c, names, c.groupNames);
  for (const k of names) checkGroupFnValue(c, k, g[k]);
  // VALUE_INVALID for a number's { N } text DynamoDB would not store, or NaN and ±Infinity (encodeGroupValue)
  const pk = groupPartitionKey(
    c.name,
    names.map((k) => g[k] as string | number | boolean),
    names,
  );
  checkPartitionKey(pk, c.name);
  return pk;
}

/**
 * A string kept by last() must be well-formed UTF-16 (DynamoDB stores strings as UTF-8, which cannot hold a lone
 * surrogate; DynamoDB Local's conditions compare one as '?', so a tie would be decided one way in a batch and another
 * in the store: review s37t) and leave its row within 400 KB (the bound is derived from the layout).
 */
function checkLastValue(c: CompiledRollup, attribute: string, v: string): void {
  if (!isWellFormedText(v)) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `rollup '${c.name}': '${attribute}' holds a lone surrogate (half of a character outside the Basic Multilingual Plane, as a string cut in the middle of an emoji leaves); DynamoDB stores strings as UTF-8, which cannot hold it, so last() cannot order it as the store would: write the whole character or remove the half`,
      { details: { rollup: c.name, attribute } },
    );
  }
  const max = c.lastValueMaxBytes;
  if (v.length * 3 <= max) return;
  const bytes = Buffer.byteLength(v, 'utf8');
  if (bytes <= max) return;
  throw new DynotallyError(
    'ITEM_TOO_LARGE',
    `rollup '${c.name}': '${attribute}' holds ${bytes} bytes; last() keeps at most ${max} bytes per value here, or its row could pass DynamoDB's 400 KB item limit: shorten the value in the source item`,
    { details: { rollup: c.name, attribute, bytes, limit: max } },
  );
}
