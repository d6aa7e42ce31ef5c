import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { addNum, compareNum, type Num } from '../numbers/index.ts';
import { compareCodePoints } from '../strings/code-point-order.ts';
import type { Extremum, RowAcc } from './row-acc.ts';
import { SCALAR_TYPE_ORDER, scalarTypeRank } from './scalar-type-order.ts';

let epochs = 0;

/**
 * The rows of one partition key touched in a coalescer: by sort key, in first-touch order, and per row kind
 * the row last used with the bucket it belongs to (so the fold finds the row of a repeat event without a
 * map lookup). Lives only as long as its coalescer: nothing of a batch survives into the next.
 *
 * @example
 * ```ts
 * const g = coalescer.group('store#sstore-1', rollup.compiled.rows.length);
 * g.count; // rows of this partition touched so far
 * ```
 */
export interface GroupRows {
  readonly pk: string;
  /** Rows by sort key, made once the group has more rows than a linear scan handles well. */
  bySk: Map<string, RowAcc> | undefined;
  /**
   * First-touch order: `rows[0 … count)`. Sized to the rollup's row kinds at first (most groups touch one
   * row per kind in a batch) and doubled when full, so a group costs one small array, not a push-grown one.
   */
  rows: RowAcc[];
  count: number;
  /** Per row kind index: the bucket of `accs[i]` (compared by identity). */
  readonly hosts: unknown[];
  readonly accs: (RowAcc | undefined)[];
}

/**
 * Sums deltas per (row, attribute) across a batch so the number of writes is the number of distinct rows
 * touched, not the number of events. Zero sums are dropped when the plan is made.
 *
 * @example
 * ```ts
 * const co = new Coalescer();
 * const folder = new Folder([rollup.compiled]);
 * for (const change of changes) folder.fold(change, co);
 * co.size; // distinct rows touched
 * ```
 */
export class Coalescer {
  /** Groups by partition key: every group of `list[0 … indexed)`, the rest are added on the next look-up. */
  private readonly byPk = new Map<string, GroupRows>();
  /** Every group, in first-touch order. */
  private readonly list: GroupRows[] = [];
  private indexed = 0;
  /**
   * Who may add groups without a look-up ({@link Coalescer.newGroup}): undefined while nobody has, `false`
   * once a group was created by a look-up (then nobody may).
   */
  private claimant: object | false | undefined = undefined;
  private count = 0;
  /** Unique per coalescer. */
  readonly epoch = ++epochs;

  /** Distinct rows touched so far. */
  get size(): number {
    return this.count;
  }

  /**
   * The rows of one partition key, created on first touch; `kinds` = the rollup's number of row kinds.
   *
   * @throws {DynotallyError} `INTERNAL_ERROR` when {@link Coalescer.newGroup} added a key twice.
   */
  group(pk: string, kinds: number): GroupRows {
    if (this.indexed < this.list.length) this.index();
    let g = this.byPk.get(pk);
    if (g === undefined) {
      g = newGroupRows(pk, kinds);
      this.byPk.set(pk, g);
      this.list.push(g);
      this.indexed = this.list.length;
      this.claimant = false;
    }
    return g;
  }

  /**
   * A group the caller knows is not in this coalescer yet (the fold's interned groups, one per partition
   * key, bound to the rows they created), added without hashing its key. Only one `claimant` may use it, and
   * only from an empty coalescer with no group made by {@link Coalescer.group} since: anyone else gets
   * {@link Coalescer.group}'s look-up.
   */
  newGroup(pk: string, kinds: number, claimant: object): GroupRows {
    if (this.claimant !== claimant) {
      if (this.claimant !== undefined || this.list.length > 0) return this.group(pk, kinds);
      this.claimant = claimant;
    }
    const g = newGroupRows(pk, kinds);
    this.list.push(g);
    return g;
  }

  /**
   * Adds the groups {@link Coalescer.newGroup} made to `byPk`. A key already there is a second group of one
   * partition key (its rows would be written twice in a batch): a bug in the caller's promise, so it throws
   * instead of letting one group hide the other. Runs once per look-up after new groups, not per record.
   *
   * @throws {DynotallyError} `INTERNAL_ERROR` when a partition key has two groups.
   */
  private index(): void {
    const list = this.list;
    const byPk = this.byPk;
    for (let i = this.indexed; i < list.length; i++) {
      const g = list[i] as GroupRows;
      // g itself is not in byPk yet (groups past `indexed` never are), so any entry is another group
      if (byPk.has(g.pk))
        throw new DynotallyError(
          'INTERNAL_ERROR',
          `two groups of partition key '${g.pk}' in one coalescer: a group was added with newGroup although its key was already there, so its rows would be written twice. This is a bug in dynotally: report it`,
          { details: { pk: g.pk } },
        );
      byPk.set(g.pk, g);
    }
    this.indexed = list.length;
  }

  /** The accumulator for a row of a group, created on first touch. */
  rowIn(
    g: GroupRows,
    rollup: CompiledRollup,
    kind: CompiledRowKind,
    sk: string,
    bucketEnd: number,
    seq: string,
    approxMs: number,
  ): RowAcc {
    let acc = findRow(g, sk);
    if (acc === undefined) {
      acc = {
        rollup,
        kind,
        pk: g.pk,
        sk,
        bucketEnd,
        attrs: NO_ATTRS,
        deltas: NO_DELTAS,
        extrema: undefined,
        firstSeq: seq,
        lastSeq: seq,
        lastApproxMs: approxMs,
      };
      appendRow(g, acc);
      if (g.bySk !== undefined) g.bySk.set(sk, acc);
      else if (g.count > SCAN_LIMIT) {
        const bySk = new Map<string, RowAcc>();
        const rows = g.rows;
        for (let i = 0; i < g.count; i++) bySk.set((rows[i] as RowAcc).sk, rows[i] as RowAcc);
        g.bySk = bySk;
      }
      this.count++;
    } else {
      acc.lastSeq = seq;
      acc.lastApproxMs = approxMs;
    }
    return acc;
  }

  /** The accumulator for a row, created on first touch. */
  row(
    rollup: CompiledRollup,
    kind: CompiledRowKind,
    pk: string,
    sk: string,
    bucketEnd: number,
    seq: string,
    approxMs: number,
  ): RowAcc {
    return this.rowIn(this.group(pk, rollup.rows.length), rollup, kind, sk, bucketEnd, seq, approxMs);
  }

  /** Every touched row, in first-touch order per partition. */
  *rows(): IterableIterator<RowAcc> {
    for (const g of this.list) for (let i = 0; i < g.count; i++) yield g.rows[i] as RowAcc;
  }

  /** Every touched row as an array, in the order of {@link Coalescer.rows} (cheaper to walk than the iterator). */
  rowList(): RowAcc[] {
    const out = new Array<RowAcc>(this.count);
    let n = 0;
    const list = this.list;
    for (let k = 0; k < list.length; k++) {
      const g = list[k] as GroupRows;
      const rows = g.rows;
      for (let i = 0; i < g.count; i++) out[n++] = rows[i] as RowAcc;
    }
    return out;
  }

  /** Records another contribution to a row already in hand (same as `row()` finding it). */
  touch(acc: RowAcc, seq: string, approxMs: number): void {
    acc.lastSeq = seq;
    acc.lastApproxMs = approxMs;
  }

  /**
   * The accumulator of one row, if touched.
   *
   * @throws {DynotallyError} `INTERNAL_ERROR` when {@link Coalescer.newGroup} added a key twice.
   */
  get(pk: string, sk: string): RowAcc | undefined {
    if (this.indexed < this.list.length) this.index();
    const g = this.byPk.get(pk);
    return g === undefined ? undefined : findRow(g, sk);
  }
}

/**
 * The attributes of a row nothing was added to yet: shared and frozen ({@link addDelta} replaces the arrays
 * when it adds an attribute, never writes into them).
 */
const NO_ATTRS = Object.freeze([]) as unknown as string[];
const NO_DELTAS = Object.freeze([]) as unknown as Num[];

/** Groups with up to this many rows are searched linearly (most hold two to four rows per batch). */
const SCAN_LIMIT = 8;

function newGroupRows(pk: string, kinds: number): GroupRows {
  // exact-size arrays (push would reserve 17 slots each)
  const hosts = new Array<unknown>(kinds);
  const accs = new Array<RowAcc | undefined>(kinds);
  for (let i = 0; i < kinds; i++) {
    hosts[i] = undefined;
    accs[i] = undefined;
  }
  return { pk, bySk: undefined, rows: new Array<RowAcc>(kinds > 0 ? kinds : 1), count: 0, hosts, accs };
}

function findRow(g: GroupRows, sk: string): RowAcc | undefined {
  if (g.bySk !== undefined) return g.bySk.get(sk);
  const rows = g.rows;
  for (let i = 0; i < g.count; i++) if ((rows[i] as RowAcc).sk === sk) return rows[i];
  return undefined;
}

function appendRow(g: GroupRows, acc: RowAcc): void {
  const n = g.count;
  let rows = g.rows;
  if (n === rows.length) {
    const grown = new Array<RowAcc>(n * 2);
    for (let i = 0; i < n; i++) grown[i] = rows[i] as RowAcc;
    g.rows = grown;
    rows = grown;
  }
  rows[n] = acc;
  g.count = n + 1;
}

/**
 * Adds a signed delta to a row attribute.
 *
 * @example
 * ```ts
 * addDelta(acc, 'orders', 1);
 * ```
 */
export function addDelta(acc: RowAcc, attr: string, delta: Num): void {
  const attrs = acc.attrs;
  const n = attrs.length;
  for (let i = 0; i < n; i++) {
    if (attrs[i] === attr) {
      const d = acc.deltas[i] as Num;
      const sum = typeof d === 'number' && typeof delta === 'number' ? d + delta : Number.NaN;
      acc.deltas[i] = Number.isSafeInteger(sum) ? sum : addNum(d, delta);
      return;
    }
  }
  // Grow to the exact size: rows hold a few attributes, and push would reserve 17 slots per array (array
  // literals are the cheapest for the first two).
  const deltas = acc.deltas;
  if (n === 0) {
    acc.attrs = [attr];
    acc.deltas = [delta];
    return;
  }
  if (n === 1) {
    acc.attrs = [attrs[0] as string, attr];
    acc.deltas = [deltas[0] as Num, delta];
    return;
  }
  const nextAttrs = new Array<string>(n + 1);
  const nextDeltas = new Array<Num>(n + 1);
  for (let i = 0; i < n; i++) {
    nextAttrs[i] = attrs[i] as string;
    nextDeltas[i] = deltas[i] as Num;
  }
  nextAttrs[n] = attr;
  nextDeltas[n] = delta;
  acc.attrs = nextAttrs;
  acc.deltas = nextDeltas;
}

/**
 * The summed delta of an attribute in a row (undefined when untouched).
 *
 * @example
 * ```ts
 * deltaOf(acc, 'orders'); // 3
 * ```
 */
export function deltaOf(acc: RowAcc, attr: string): Num | undefined {
  const i = acc.attrs.indexOf(attr);
  return i === -1 ? undefined : acc.deltas[i];
}

/**
 * Offers a value to a min / max / last attribute; keeps the winner.
 *
 * @example
 * ```ts
 * offerExtremum(acc, 'power', 'last', 230, eventTimeMs);
 * ```
 */
export function offerExtremum(
  acc: RowAcc,
  attr: string,
  op: Extremum['op'],
  value: Num | string | boolean,
  time: number,
): void {
  if (acc.extrema === undefined) acc.extrema = new Map();
  const cur = acc.extrema.get(attr);
  if (cur === undefined) {
    acc.extrema.set(attr, { op, value, time });
    return;
  }
  if (beats(op, value, time, cur)) {
    cur.value = value;
    cur.time = time;
  }
}

/**
 * True when (value, time) wins over the current extremum: smaller for min, larger for max, later (then
 * larger) for last. The same rule is used by the conditional updates in the store.
 *
 * @example
 * ```ts
 * beats('max', 5, 0, { value: 3, time: 0 }); // true
 * ```
 */
export function beats(
  op: Extremum['op'],
  value: Num | string | boolean,
  time: number,
  cur: { value: Num | string | boolean; time: number },
): boolean {
  if (op === 'last') {
    if (time !== cur.time) return time > cur.time;
    return compareScalar(value, cur.value) > 0;
  }
  const c = compareScalar(value, cur.value);
  return op === 'min' ? c < 0 : c > 0;
}

/**
 * Orders scalars: numbers by value, strings in code point order (DynamoDB's UTF-8 byte order, not JavaScript's UTF-16
 * `<`), booleans false < true; mixed types by {@link SCALAR_TYPE_ORDER} (the order the conditional write ranks them).
 */
export function compareScalar(a: Num | string | boolean, b: Num | string | boolean): number {
  const ra = scalarTypeRank(a);
  const rb = scalarTypeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'string') return Math.sign(compareCodePoints(a, b as string));
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return Math.sign(compareNum(a, b as Num));
}
