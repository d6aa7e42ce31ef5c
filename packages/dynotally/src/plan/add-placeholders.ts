import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Num, toDynamoN } from '../numbers/index.ts';

/**
 * The expression names and values of a row's `updatedAt`, its ADDs and its TTL, in the order
 * `rowUpdateParams` has always written them (`#u`, `#a0…`, `#ttl`; `:u`, `:v0…`, `:ttl`). Rows of one to
 * four ADDs (nearly all of them) are built as object literals of a fixed shape, which V8 makes in one step;
 * longer rows fall back to one property at a time. `u` (the `updatedAt` value) is used as given: it may be shared.
 *
 * @example
 * ```ts
 * const { names, values } = addPlaceholders([['orders', 3]], { N: '1764000000000' }, undefined);
 * names; // { '#u': 'updatedAt', '#a0': 'orders' }
 * values; // { ':u': { N: '1764000000000' }, ':v0': { N: '3' } }
 * ```
 */
export function addPlaceholders(
  adds: ReadonlyArray<readonly [string, Num]>,
  u: AttributeValue,
  ttl: number | undefined,
): { names: Record<string, string>; values: Record<string, AttributeValue> } {
  const n = adds.length;
  if (n >= 1 && n <= 4) {
    const a0 = adds[0]!;
    if (n === 1) {
      if (ttl === undefined)
        return { names: { '#u': 'updatedAt', '#a0': a0[0] }, values: { ':u': u, ':v0': av(a0[1]) } };
      return {
        names: { '#u': 'updatedAt', '#a0': a0[0], '#ttl': 'ttl' },
        values: { ':u': u, ':v0': av(a0[1]), ':ttl': { N: String(ttl) } },
      };
    }
    const a1 = adds[1]!;
    if (n === 2) {
      if (ttl === undefined)
        return {
          names: { '#u': 'updatedAt', '#a0': a0[0], '#a1': a1[0] },
          values: { ':u': u, ':v0': av(a0[1]), ':v1': av(a1[1]) },
        };
      return {
        names: { '#u': 'updatedAt', '#a0': a0[0], '#a1': a1[0], '#ttl': 'ttl' },
        values: { ':u': u, ':v0': av(a0[1]), ':v1': av(a1[1]), ':ttl': { N: String(ttl) } },
      };
    }
    const a2 = adds[2]!;
    if (n === 3) {
      if (ttl === undefined)
        return {
          names: { '#u': 'updatedAt', '#a0': a0[0], '#a1': a1[0], '#a2': a2[0] },
          values: { ':u': u, ':v0': av(a0[1]), ':v1': av(a1[1]), ':v2': av(a2[1]) },
        };
      return {
        names: { '#u': 'updatedAt', '#a0': a0[0], '#a1': a1[0], '#a2': a2[0], '#ttl': 'ttl' },
        values: { ':u': u, ':v0': av(a0[1]), ':v1': av(a1[1]), ':v2': av(a2[1]), ':ttl': { N: String(ttl) } },
      };
    }
    const a3 = adds[3]!;
    if (ttl === undefined)
      return {
        names: { '#u': 'updatedAt', '#a0': a0[0], '#a1': a1[0], '#a2': a2[0], '#a3': a3[0] },
        values: { ':u': u, ':v0': av(a0[1]), ':v1': av(a1[1]), ':v2': av(a2[1]), ':v3': av(a3[1]) },
      };
    return {
      names: { '#u': 'updatedAt', '#a0': a0[0], '#a1': a1[0], '#a2': a2[0], '#a3': a3[0], '#ttl': 'ttl' },
      values: {
        ':u': u,
        ':v0': av(a0[1]),
        ':v1': av(a1[1]),
        ':v2': av(a2[1]),
        ':v3': av(a3[1]),
        ':ttl': { N: String(ttl) },
      },
    };
  }
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  names['#u'] = 'updatedAt';
  values[':u'] = u;
  for (let i = 0; i < n; i++) {
    const add = adds[i]!;
    names[placeholder(A_NAMES, '#a', i)] = add[0];
    values[placeholder(V_NAMES, ':v', i)] = av(add[1]);
  }
  if (ttl !== undefined) {
    names['#ttl'] = 'ttl';
    values[':ttl'] = { N: String(ttl) };
  }
  return { names, values };
}

function av(v: Num): AttributeValue {
  return { N: toDynamoN(v) };
}

const A_NAMES: string[] = [];
const V_NAMES: string[] = [];

/** `#a0`, `:v3`…: interned so building a plan allocates no placeholder strings. */
function placeholder(list: string[], prefix: string, i: number): string {
  if (i < list.length) return list[i] as string;
  for (let k = list.length; k <= i; k++) list.push(`${prefix}${k}`);
  return list[i] as string;
}
