import type { AttributeValue } from 'aws-lambda';
import { type Scalar, scalarOf } from '../decode/index.ts';
import { encodeGroupValue, KEY_SEP } from '../layout/group-key.ts';
import { checkPartitionKey } from '../layout/key-limits.ts';
import { flatString } from '../strings/flat-string.ts';
import type { GroupRows } from './coalescer.ts';

/**
 * An interned group: its partition key, and the coalescer rows of the group in the coalescer being filled
 * (bound by the fold, released at the end of a batch), so a record finds its group's rows without hashing
 * the key again.
 *
 * @example
 * ```ts
 * const leaf = new GroupKeyCache('store').get([{ S: 'store-1' }], ['storeId']);
 * leaf?.pk; // 'store#sstore-1'
 * ```
 */
export interface GroupLeaf {
  readonly pk: string;
  /**
   * True when the raw values are the only texts of this key (every number written as its key writes it):
   * then no other leaf of the same cache generation has the same key. `'1'`, `'1.0'` and `'1e0'` are one
   * number and one key, but three leaves.
   */
  readonly sole: boolean;
  /** Epoch of the coalescer `rows` belongs to; 0 when unbound. */
  owner: number;
  rows: GroupRows | undefined;
}

interface Node {
  s: Map<string, Node | GroupLeaf> | undefined;
  n: Map<string, Node | GroupLeaf> | undefined;
  b: Map<boolean, Node | GroupLeaf> | undefined;
}

const LIMIT = 200_000;

/**
 * Interns partition keys by the raw group attribute values, so every record of the same group yields the
 * very same (already hashed) key string: the coalescer's map lookups then skip flattening and hashing a
 * freshly concatenated string. Bounded: cleared past 200,000 groups.
 *
 * @example
 * ```ts
 * const keys = new GroupKeyCache('store');
 * keys.get([image.storeId], ['storeId'])?.pk; // 'store#sstore-0001' (same object every time)
 * ```
 */
export class GroupKeyCache {
  private root: Node = { s: undefined, n: undefined, b: undefined };
  private size = 0;
  /** How many times the cache was emptied (a partition key may then be interned again, as another leaf). */
  clears = 0;

  /** @param limit groups interned before the cache is emptied (tests use small ones) */
  constructor(
    private readonly rollup: string,
    private readonly limit = LIMIT,
  ) {}

  /**
   * The interned group of the values, or undefined when a value is absent or NULL. Values must be scalars
   * (VALUE_INVALID otherwise), and as many on every call as the rollup has group attributes.
   */
  get(values: readonly (AttributeValue | undefined)[], names: readonly string[]): GroupLeaf | undefined {
    let node: Node = this.root;
    const last = values.length - 1;
    for (let i = 0; i <= last; i++) {
      const v = values[i];
      if (v === undefined || v.NULL !== undefined) return undefined;
      let map: Map<string | boolean, Node | GroupLeaf> | undefined;
      let raw: string | boolean;
      if (v.S !== undefined) {
        raw = v.S;
        if (node.s === undefined) node.s = new Map();
        map = node.s;
      } else if (v.N !== undefined) {
        raw = v.N;
        if (node.n === undefined) node.n = new Map();
        map = node.n;
      } else if (v.BOOL !== undefined) {
        raw = v.BOOL;
        if (node.b === undefined) node.b = new Map();
        map = node.b as Map<string | boolean, Node | GroupLeaf>;
      } else {
        scalarOf(v, names[i] as string); // throws VALUE_INVALID with the attribute's name
        return undefined;
      }
      const hit = map.get(raw);
      // The trie's depth is the number of group attributes, fixed per cache: the last level holds leaves,
      // the others nodes.
      if (i === last) {
        if (hit !== undefined) return hit as GroupLeaf;
        return this.store(map, raw, values, names);
      }
      if (hit === undefined) {
        const child: Node = { s: undefined, n: undefined, b: undefined };
        map.set(raw, child);
        node = child;
      } else node = hit as Node;
    }
    return undefined;
  }

  private store(
    map: Map<string | boolean, Node | GroupLeaf>,
    raw: string | boolean,
    values: readonly (AttributeValue | undefined)[],
    names: readonly string[],
  ): GroupLeaf {
    let pk = this.rollup;
    let sole = true;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as AttributeValue;
      const attribute = names[i] as string;
      const part = encodeGroupValue(scalarOf(v, attribute) as Exclude<Scalar, null>, {
        rollup: this.rollup,
        attribute,
      });
      if (v.N !== undefined && part !== `n${v.N}`) sole = false;
      pk += KEY_SEP + part;
    }
    checkPartitionKey(pk, this.rollup); // KEY_TOO_LARGE before the group is interned
    const leaf: GroupLeaf = { pk: flatString(pk), sole, owner: 0, rows: undefined };
    if (++this.size > this.limit) {
      this.root = { s: undefined, n: undefined, b: undefined };
      this.size = 0;
      this.clears++;
    } else map.set(raw, leaf);
    return leaf;
  }
}
