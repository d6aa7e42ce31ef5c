import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { addNum, compareNum, type Num, negNum } from '../numbers/index.ts';
import { compareCodePoints } from '../strings/code-point-order.ts';
import { CellSums } from './cell-sums.ts';
import type { Extremum, RowAcc } from './row-acc.ts';
import { SCALAR_TYPE_ORDER, scalarTypeRank } from './scalar-type-order.ts';

let epochs = 0;

/**
 * The rows of one partition key touched in a coalescer: by sort key, in first-touch order, and per row kind
 * the row last used with the bucket it belongs to (so the fold finds the row of a repeat event without a
 * map lookup). Rows are the coalescer's integer ids. Lives only as long as its coalescer: nothing of a batch
 * survives into the next.
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
  bySk: Map<string, CoalescedRow> | undefined;
  /**
   * First-touch order: `rows[0 … count)`. Sized to the rollup's row kinds at first (most groups touch one row
   * per kind in a batch) and doubled when full, so a group costs one small array, not a push-grown one.
   */
  rows: CoalescedRow[];
  count: number;
  /** Per row kind index: the bucket of `last[i]` (compared by identity). */
  readonly hosts: unknown[];
  readonly last: (CoalescedRow | undefined)[];
}

/**
 * A row of a coalescer while it is filled: its fields, and where its cells' sums are in the coalescer's
 * {@link CellSums}. Read by the plan; its {@link RowAcc} is made when asked for.
 *
 * @example
 * ```ts
 * for (const row of coalescer.coalescedRows()) coalescer.nonZeroAdds(row);
 * ```
 */
export class CoalescedRow {
  /** Last contributing record (an index of the coalescer's records). */
  last: number;
  /** The row's cells: `cell0 … cell0 + count` of the coalescer's sums, in first-touch order; room for `room`. */
  cell0: number;
  count = 0;
  room: number;
  /**
   * The names array (a time entry's, never written) that the coalescer's `pos[pos0 … pos0 + names.length)`
   * maps: the cell of `names[j]` is `cell0 + pos[pos0 + j] - 1`, or none when 0.
   */
  names: readonly string[];
  pos0: number;
  /** The row's accumulator once made: from then on the row is added to through it. */
  acc: RowAcc | undefined = undefined;

  constructor(
    readonly pk: string,
    readonly rollup: CompiledRollup,
    readonly kind: CompiledRowKind,
    readonly sk: string,
    readonly bucketEnd: number,
    /** First contributing record (an index of the coalescer's records). */
    readonly first: number,
    cell0: number,
    room: number,
    names: readonly string[],
    pos0: number,
  ) {
    this.last = first;
    this.cell0 = cell0;
    this.room = room;
    this.names = names;
    this.pos0 = pos0;
  }
}

/**
 * Sums deltas per (row, attribute) across a batch so the number of writes is the number of distinct rows
 * touched, not the number of events. Zero sums are dropped when the plan is made.
 *
 * Rows are integer ids with their fields in columns, and their cells' sums in {@link CellSums} (integer
 * arithmetic for integers and fixed-scale decimals); a row's {@link RowAcc} is made once, the first time it is
 * asked for ({@link Coalescer.rowList}, {@link Coalescer.rows}, {@link Coalescer.get}, {@link Coalescer.rowIn}),
 * and from then on the row is added to through that object.
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
  /** Unique per coalescer. */
  readonly epoch = ++epochs;

  /** The contributing records ({@link Coalescer.record}): sequence numbers and approximate times. */
  private readonly seqs: string[] = [];
  private readonly approxs: number[] = [];
  private count = 0;
  private pos = new Int32Array(1024);
  private posTop = 0;
  private readonly cells = new CellSums();

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

  /** Notes a contributing record; returns its index for {@link Coalescer.rowId} and {@link Coalescer.touchId}. */
  record(seq: string, approxMs: number): number {
    this.seqs.push(seq);
    return this.approxs.push(approxMs) - 1;
  }

  /**
   * The row of a group, created on first touch (its cells laid out for `names`, a time entry's cell names);
   * `rec` (from {@link Coalescer.record}) becomes its last contributing record.
   */
  rowOf(
    g: GroupRows,
    rollup: CompiledRollup,
    kind: CompiledRowKind,
    sk: string,
    bucketEnd: number,
    rec: number,
    names: readonly string[],
  ): CoalescedRow {
    let row = findRow(g, sk);
    if (row !== undefined) {
      this.touchRow(row, rec);
      return row;
    }
    const room = names.length > 0 ? names.length : 1;
    row = new CoalescedRow(
      g.pk,
      rollup,
      kind,
      sk,
      bucketEnd,
      rec,
      this.cells.cells(room),
      room,
      names,
      this.allocPos(names.length),
    );
    this.count++;
    appendRow(g, row);
    if (g.bySk !== undefined) g.bySk.set(sk, row);
    else if (g.count > SCAN_LIMIT) {
      const bySk = new Map<string, CoalescedRow>();
      const rows = g.rows;
      for (let i = 0; i < g.count; i++) bySk.set((rows[i] as CoalescedRow).sk, rows[i] as CoalescedRow);
      g.bySk = bySk;
    }
    return row;
  }

  /** Records another contribution to a row already in hand (same as {@link Coalescer.rowOf} finding it). */
  touchRow(row: CoalescedRow, rec: number): void {
    row.last = rec;
    if (row.acc !== undefined) this.touch(row.acc, this.seqs[rec] as string, this.approxs[rec] as number);
  }

  /**
   * Adds a row's count and sum cells: `names[j]` gets `sign × values[mis[j]]` where that value is defined.
   * Same cells, same order, same sums as {@link addDelta} one name at a time.
   */
  addCells(
    row: CoalescedRow,
    names: readonly string[],
    mis: readonly number[],
    values: readonly (Num | undefined)[],
    sign: 1 | -1,
  ): void {
    if (row.acc !== undefined) {
      addToAcc(row.acc, names, mis, values, sign);
      return;
    }
    if (row.names !== names) this.remap(row, names);
    const pos = this.pos;
    const p0 = row.pos0;
    for (let j = 0; j < names.length; j++) {
      const v = values[mis[j] as number];
      if (v === undefined) continue;
      const at = pos[p0 + j] as number;
      if (at !== 0) this.cells.add(row.cell0 + at - 1, v, sign);
      else this.newCell(row, names[j] as string, p0 + j, v, sign);
    }
  }

  /** Adds a cell to a row (its position `p` in the row's map) with its first value. */
  private newCell(row: CoalescedRow, name: string, p: number, v: Num, sign: 1 | -1): void {
    const n = row.count;
    if (n === row.room) this.grow(row);
    this.cells.first(row.cell0 + n, name, v, sign);
    this.pos[p] = n + 1;
    row.count = n + 1;
  }

  /** Lays the row's position map out for another names array (a time entry met for the first time by it). */
  private remap(row: CoalescedRow, names: readonly string[]): void {
    const p0 = this.allocPos(names.length);
    const c0 = row.cell0;
    const n = row.count;
    const cellNames = this.cells.names;
    const pos = this.pos;
    for (let j = 0; j < names.length; j++) {
      const name = names[j];
      let at = 0;
      for (let i = 0; i < n; i++)
        if (cellNames[c0 + i] === name) {
          at = i + 1;
          break;
        }
      pos[p0 + j] = at;
    }
    row.names = names;
    row.pos0 = p0;
  }

  /** Moves a full row's cells to a region twice the size. */
  private grow(row: CoalescedRow): void {
    const room = row.room * 2;
    const from = row.cell0;
    const to = this.cells.cells(room);
    for (let i = 0; i < row.count; i++) this.cells.copy(from + i, to + i);
    row.cell0 = to;
    row.room = room;
  }

  private allocPos(n: number): number {
    const at = this.posTop;
    const top = at + n;
    let pos = this.pos;
    if (top > pos.length) {
      let size = pos.length * 2;
      while (size < top) size *= 2;
      pos = new Int32Array(size);
      pos.set(this.pos);
      this.pos = pos;
    }
    this.posTop = top; // zeros: no cell yet (positions are stored + 1)
    return at;
  }

  /** The accumulator of a row, made on first use. */
  acc(row: CoalescedRow): RowAcc {
    const made = row.acc;
    if (made !== undefined) return made;
    const n = row.count;
    const c0 = row.cell0;
    const cells = this.cells;
    const cellNames = cells.names;
    let attrs: string[] = NO_ATTRS;
    let deltas: Num[] = NO_DELTAS;
    if (n > 0) {
      deltas = new Array<Num>(n);
      for (let i = 0; i < n; i++) deltas[i] = cells.value(c0 + i);
      // the names array of the row's time entry when the cells are exactly its names (never written: addDelta
      // replaces a row's arrays when it adds an attribute)
      const names = row.names as string[];
      let same = names.length === n;
      for (let i = 0; same && i < n; i++) same = cellNames[c0 + i] === names[i];
      if (same) attrs = names;
      else {
        attrs = new Array<string>(n);
        for (let i = 0; i < n; i++) attrs[i] = cellNames[c0 + i] as string;
      }
    }
    const acc: RowAcc = {
      rollup: row.rollup,
      kind: row.kind,
      pk: row.pk,
      sk: row.sk,
      bucketEnd: row.bucketEnd,
      attrs,
      deltas,
      extrema: undefined,
      firstSeq: this.seqs[row.first] as string,
      lastSeq: this.seqs[row.last] as string,
      lastApproxMs: this.approxs[row.last] as number,
    };
    row.acc = acc;
    return acc;
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
    return this.acc(this.rowOf(g, rollup, kind, sk, bucketEnd, this.record(seq, approxMs), NO_ATTRS));
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
    for (const g of this.list) for (let i = 0; i < g.count; i++) yield this.acc(g.rows[i] as CoalescedRow);
  }

  /** Every touched row as an array, in the order of {@link Coalescer.rows} (cheaper to walk than the iterator). */
  rowList(): RowAcc[] {
    const rows = this.coalescedRows();
    const out = new Array<RowAcc>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = this.acc(rows[i] as CoalescedRow);
    return out;
  }

  /** Every touched row, in the order of {@link Coalescer.rowList}, without making accumulators (for the plan). */
  coalescedRows(): CoalescedRow[] {
    const out = new Array<CoalescedRow>(this.count);
    let n = 0;
    const list = this.list;
    for (let k = 0; k < list.length; k++) {
      const g = list[k] as GroupRows;
      const rows = g.rows;
      for (let i = 0; i < g.count; i++) out[n++] = rows[i] as CoalescedRow;
    }
    return out;
  }

  /** A row's first contributing record's sequence number. */
  firstSeqOf(row: CoalescedRow): string {
    return this.seqs[row.first] as string;
  }
  /** A row's last contributing record's sequence number. */
  lastSeqOf(row: CoalescedRow): string {
    return this.seqs[row.last] as string;
  }
  /** A row's last contributing record's approximate creation time (ms). */
  lastApproxMsOf(row: CoalescedRow): number {
    return this.approxs[row.last] as number;
  }

  /**
   * A row's non-zero sums as `[name, sum]` pairs sorted by name (insertion sort: rows hold a handful of cells),
   * the plan's `RowWrite.adds`.
   */
  nonZeroAdds(row: CoalescedRow): (readonly [string, Num])[] {
    const c0 = row.cell0;
    const n = row.count;
    const cells = this.cells;
    let k = 0;
    for (let i = 0; i < n; i++) if (!cells.isZero(c0 + i)) k++;
    const out = new Array<readonly [string, Num]>(k); // exact size
    if (k === 0) return out;
    const names = cells.names;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (cells.isZero(c0 + i)) continue;
      const name = names[c0 + i] as string;
      const add = [name, cells.value(c0 + i)] as const;
      let j = m++;
      while (j > 0 && (out[j - 1] as readonly [string, Num])[0] > name) {
        out[j] = out[j - 1] as readonly [string, Num];
        j--;
      }
      out[j] = add;
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
    if (g === undefined) return undefined;
    const row = findRow(g, sk);
    return row === undefined ? undefined : this.acc(row);
  }
}

/** {@link Coalescer.addCells} for a row whose accumulator was made: through {@link addDelta}. */
function addToAcc(
  acc: RowAcc,
  names: readonly string[],
  mis: readonly number[],
  values: readonly (Num | undefined)[],
  sign: 1 | -1,
): void {
  for (let j = 0; j < names.length; j++) {
    const v = values[mis[j] as number];
    if (v !== undefined) addDelta(acc, names[j] as string, sign === 1 ? v : negNum(v));
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
  const last = new Array<CoalescedRow | undefined>(kinds);
  for (let i = 0; i < kinds; i++) {
    hosts[i] = undefined;
    last[i] = undefined;
  }
  return { pk, bySk: undefined, rows: new Array<CoalescedRow>(kinds > 0 ? kinds : 1), count: 0, hosts, last };
}

function findRow(g: GroupRows, sk: string): CoalescedRow | undefined {
  if (g.bySk !== undefined) return g.bySk.get(sk);
  const rows = g.rows;
  for (let i = 0; i < g.count; i++) if ((rows[i] as CoalescedRow).sk === sk) return rows[i];
  return undefined;
}

function appendRow(g: GroupRows, row: CoalescedRow): void {
  const n = g.count;
  let rows = g.rows;
  if (n === rows.length) {
    const grown = new Array<CoalescedRow>(n * 2);
    for (let i = 0; i < n; i++) grown[i] = rows[i] as CoalescedRow;
    g.rows = grown;
    rows = grown;
  }
  rows[n] = row;
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
