import type { Change, Image, PlainItem } from '../decode/index.ts';
import { readNumber, readScalar, toPlain } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { encodeGroupValue, groupPartitionKey, KEY_SEP } from '../layout/group-key.ts';
import type { Num } from '../numbers/index.ts';
import { eventTime } from './event-time.ts';

/**
 * One side (old or new image) of a change, resolved for one rollup before anything is accumulated, so a
 * record that fails halfway leaves the coalescer untouched. Reused between records (no allocation).
 */
export interface Side {
  member: boolean;
  pk: string;
  time: number;
  /** Per measure: the value it contributes (count: 1), or undefined when its filter rejects the item. */
  values: (Num | string | boolean | undefined)[];
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
  return { member: false, pk: '', time: 0, values: new Array(measures).fill(undefined) };
}

/**
 * Resolves membership, group key, event time and measure values of an image into `side`.
 *
 * @example
 * ```ts
 * resolveSide(rollup.compiled, change.newImage!, change, side);
 * if (side.member) console.log(side.pk, side.time);
 * ```
 */
export function resolveSide(c: CompiledRollup, image: Image, change: Change, side: Side): void {
  let plainCache: PlainItem | undefined;
  const plain = () => {
    if (plainCache === undefined) plainCache = toPlain(image);
    return plainCache;
  };
  side.member = false;
  if (c.match !== undefined && !c.match(image, plain)) return;
  const pk = groupKey(c, image, plain);
  if (pk === undefined) return;
  side.member = true;
  side.pk = pk;
  side.time = eventTime(c, image, change);
  const ms = c.measures;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (m.where !== undefined && !m.where(image, plain)) {
      side.values[i] = undefined;
      continue;
    }
    if (m.kind === 'count') side.values[i] = 1;
    else if (m.kind === 'sum' || m.kind === 'min' || m.kind === 'max')
      side.values[i] = readNumber(image, m.attribute as string);
    else {
      const v = readScalar(image, m.attribute as string);
      side.values[i] = v === null ? undefined : v;
    }
  }
}

function groupKey(c: CompiledRollup, image: Image, plain: () => PlainItem): string | undefined {
  const attrs = c.groupAttributes;
  if (attrs !== undefined) {
    let pk = c.name;
    for (let i = 0; i < attrs.length; i++) {
      const name = attrs[i]!;
      const v = readScalar(image, name);
      if (v === undefined || v === null) {
        if (c.match === undefined) return undefined; // no explicit filter: items without the group attributes are not members
        throw new DynotallyError(
          'VALUE_INVALID',
          `rollup '${c.name}': a matching item has no '${name}' to group by`,
          {
            details: { rollup: c.name, attribute: name },
          },
        );
      }
      pk += KEY_SEP + encodeGroupValue(v);
    }
    return pk;
  }
  const g = (c.groupFn as NonNullable<CompiledRollup['groupFn']>)(plain());
  if (g === undefined) return undefined;
  const keys = Object.keys(g).sort();
  if (keys.length === 0) {
    throw new DynotallyError('VALUE_INVALID', `rollup '${c.name}': groupBy returned an empty object`, {
      details: { rollup: c.name },
    });
  }
  return groupPartitionKey(
    c.name,
    keys.map((k) => g[k] as string | number | boolean),
  );
}
