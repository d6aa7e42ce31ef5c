import { type Change, checkImage, type Image, LazyItem } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { type Num, negNum, signed } from '../numbers/index.ts';
import { addDelta, type Coalescer, type GroupRows, offerExtremum } from './coalescer.ts';
import { GroupKeyCache, type GroupLeaf } from './group-key-cache.ts';
import { ownImagesOf, readsInheritedName } from './own-images.ts';
import { newSide, resolveSide, type Side } from './resolve-side.ts';
import type { RowAcc } from './row-acc.ts';
import { TimeCells } from './time-cells.ts';

interface RollupState {
  readonly c: CompiledRollup;
  readonly slots: TimeCells;
  readonly keys: GroupKeyCache;
  readonly oldSide: Side;
  readonly newSide: Side;
  useOld: boolean;
  useNew: boolean;
  /** Every measure is a count or a sum. */
  readonly additive: boolean;
}

/**
 * The fold for a fixed set of rollups, with its reusable scratch state. Folding is pure and synchronous:
 * INSERT adds the new image, REMOVE subtracts the old one, MODIFY subtracts old and adds new (so a change
 * of group, time or filter outcome moves the contribution and an identical rewrite nets to zero).
 * A record is resolved for every rollup before anything is accumulated, so a bad record throws and leaves
 * the coalescer untouched.
 *
 * @example
 * ```ts
 * const fold = new Folder([jobs.compiled, scans.compiled]);
 * const co = new Coalescer();
 * for (const change of changes) fold.fold(change, co);
 * ```
 */
export class Folder {
  private readonly states: RollupState[];
  /** The attributes any rollup reads (undefined when a callback may read any), shape-checked per image. */
  private readonly reads: readonly string[] | undefined;
  /** A rollup reads an attribute named like an `Object.prototype` member: images are read as own attributes only. */
  private readonly ownImages: boolean;
  private readonly item = new LazyItem();
  /** Interned groups currently pointing at rows of the coalescer with epoch `boundTo`. */
  private readonly bound: GroupLeaf[] = [];
  private boundTo = 0;
  /**
   * Stands for this folder's current binding to one coalescer (renewed by {@link Folder.release}): while
   * every interned group is bound at most once in it, the coalescer adds the groups without a look-up.
   */
  private session: object = {};
  /** The group caches' clears when the binding began: a clear since means a key may come back as a new leaf. */
  private clearsAtBind = 0;

  constructor(rollups: readonly CompiledRollup[]) {
    this.states = rollups.map((c) => ({
      c,
      slots: new TimeCells(c),
      keys: new GroupKeyCache(c.name),
      oldSide: newSide(c.measures.length),
      newSide: newSide(c.measures.length),
      useOld: false,
      useNew: false,
      additive: c.measures.every((m) => m.additive),
    }));
    this.reads = rollups.some((c) => c.reads === undefined)
      ? undefined
      : [...new Set(rollups.flatMap((c) => c.reads as readonly string[]))];
    this.ownImages = readsInheritedName(rollups);
  }

  /**
   * Folds one change into `into`. Throws a DynotallyError (IMAGE_MISSING, VALUE_INVALID, KEY_TOO_LARGE…) for a
   * poison record, always before anything is accumulated: both images' attribute shapes, then every rollup's
   * membership, group key (size included), event time (range included) and values are resolved first; the
   * accumulation that follows cannot fail.
   */
  fold(given: Change, into: Coalescer): void {
    const change = this.ownImages ? ownImagesOf(given) : given;
    const states = this.states;
    // The binding begins before this record's groups are interned: a cache emptied while resolving them (the
    // leaf returned then is not kept, so the key comes back as another leaf) must count as a clear since.
    if (this.boundTo !== into.epoch) this.bindTo(into);
    if (change.oldImage !== undefined) checkImage(change.oldImage, this.reads);
    if (change.newImage !== undefined) checkImage(change.newImage, this.reads);
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!;
      this.resolve(s, change);
      // the cells of each time are named here, before anything is accumulated: naming throws VALUE_INVALID for
      // a bucket with no whole index in its row (see slotNames)
      if (s.useOld) s.slots.at(s.oldSide.time);
      if (s.useNew) s.slots.at(s.newSide.time);
    }
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!;
      if (s.useOld) this.accumulate(s, s.oldSide, -1, change, into);
      if (s.useNew) this.accumulate(s, s.newSide, 1, change, into);
    }
  }

  private resolve(s: RollupState, change: Change): void {
    const c = s.c;
    s.useOld = false;
    s.useNew = false;
    const kind = change.kind;
    if (kind === 'REMOVE' && change.ttlDelete && c.ttlDeletes === 'ignore') return;
    const oldImage = kind === 'INSERT' ? undefined : need(change.oldImage, c, change, 'old');
    const newImage = kind === 'REMOVE' ? undefined : need(change.newImage, c, change, 'new');
    if (
      oldImage !== undefined &&
      newImage !== undefined &&
      c.reads !== undefined &&
      sameFor(c.reads, oldImage, newImage)
    )
      return;
    if (oldImage !== undefined) {
      resolveSide(c, oldImage, change, s.oldSide, this.item, s.keys);
      s.useOld = s.oldSide.member;
    }
    if (newImage !== undefined) {
      resolveSide(c, newImage, change, s.newSide, this.item, s.keys);
      s.useNew = s.newSide.member;
    }
  }

  /** Points an interned group at its rows in `into` (released by {@link Folder.release}). */
  private bind(leaf: GroupLeaf, g: GroupRows, into: Coalescer): void {
    if (this.boundTo !== into.epoch) this.bindTo(into);
    leaf.owner = into.epoch;
    leaf.rows = g;
    this.bound.push(leaf);
  }

  /**
   * Forgets the coalescer rows the interned groups point at, so a finished batch is not kept alive by the
   * folder's caches. `foldBatch` calls it at the end of every batch; folding into another coalescer calls it
   * too. Optional after `fold()`: it only frees memory earlier.
   *
   * @example
   * ```ts
   * for (const change of changes) folder.fold(change, co);
   * folder.release();
   * ```
   */
  release(): void {
    const bound = this.bound;
    for (let i = 0; i < bound.length; i++) {
      const leaf = bound[i] as GroupLeaf;
      leaf.owner = 0;
      leaf.rows = undefined;
    }
    bound.length = 0;
    this.boundTo = 0;
    this.session = {};
  }

  /** Starts binding interned groups to `into` (ending any binding to another coalescer). */
  private bindTo(into: Coalescer): void {
    this.release();
    this.clearsAtBind = this.clears();
    this.boundTo = into.epoch;
  }

  private clears(): number {
    let n = 0;
    for (let i = 0; i < this.states.length; i++) n += (this.states[i] as RollupState).keys.clears;
    return n;
  }

  /** The rows of a side's group in `into`, found through its interned leaf when it has one. */
  private groupOf(leaf: GroupLeaf | undefined, pk: string, kinds: number, into: Coalescer): GroupRows {
    if (leaf === undefined) return into.group(pk, kinds);
    if (leaf.owner === into.epoch) return leaf.rows as GroupRows;
    // a leaf not bound yet has no group in `into`, unless a cache was emptied since the binding began (the
    // key may then be bound under its old leaf): only then is the key looked up
    if (this.boundTo !== into.epoch) this.bindTo(into);
    // a key spelt in more than one way (a number's other texts) may have another leaf: looked up too
    const fresh = leaf.sole && this.clears() === this.clearsAtBind;
    const g = fresh ? into.newGroup(pk, kinds, this.session) : into.group(pk, kinds);
    this.bind(leaf, g, into);
    return g;
  }

  private accumulate(s: RollupState, side: Side, sign: 1 | -1, change: Change, into: Coalescer): void {
    const c = s.c;
    const t = side.time;
    const values = side.values;
    const measures = c.measures;
    const rows = c.rows;
    const g = this.groupOf(side.leaf, side.pk, rows.length, into);
    const seq = change.sequenceNumber;
    const approx = change.approximateTimeMs;
    const cells = s.slots.at(t);
    const hosts = cells.hosts;
    for (let r = 0; r < rows.length; r++) {
      const host = hosts[r]!;
      let acc: RowAcc;
      if (g.hosts[r] === host) {
        acc = g.accs[r] as RowAcc;
        acc.lastSeq = seq;
        acc.lastApproxMs = approx;
      } else {
        acc = into.rowIn(g, c, rows[r]!, host.label, host.end, seq, approx);
        g.hosts[r] = host;
        g.accs[r] = acc;
      }
      const names = cells.cells[r]!;
      const mis = s.slots.measures[r]!;
      if (!s.additive) addMixed(acc, names, mis, measures, values, sign, t);
      else if (acc.attrs.length === 0) firstCells(acc, names, mis, values as (Num | undefined)[], sign);
      else addCells(acc, names, mis, values as (Num | undefined)[], sign);
    }
  }
}

/** Adds a row's count and sum cells (every measure of the rollup is additive). */
function addCells(
  acc: RowAcc,
  names: readonly string[],
  mis: readonly number[],
  values: readonly (Num | undefined)[],
  sign: 1 | -1,
): void {
  for (let j = 0; j < names.length; j++) {
    const v = values[mis[j]!];
    if (v !== undefined) addDelta(acc, names[j]!, sign === 1 ? v : negNum(v));
  }
}

/** Adds a row's cells when some measures are min, max or last (offered on the new side only). */
function addMixed(
  acc: RowAcc,
  names: readonly string[],
  mis: readonly number[],
  measures: CompiledRollup['measures'],
  values: Side['values'],
  sign: 1 | -1,
  t: number,
): void {
  for (let j = 0; j < names.length; j++) {
    const mi = mis[j]!;
    const v = values[mi];
    if (v === undefined) continue;
    const m = measures[mi]!;
    if (m.additive) addDelta(acc, names[j]!, signed(v as Num, sign));
    else if (sign === 1) offerExtremum(acc, names[j]!, m.kind as 'min' | 'max' | 'last', v, t);
  }
}

/**
 * The first cells of a row that holds none yet: its attribute and delta arrays built at their final size in
 * one step (adding them one by one would allocate a pair of arrays per cell). Same cells, same order as
 * {@link addDelta} one at a time; the names of a row's cells are distinct (one per placement and measure).
 * When every cell has a value the row's attribute list is the time entry's own (never written: a row that
 * gains a cell gets new arrays).
 */
function firstCells(
  acc: RowAcc,
  names: readonly string[],
  mis: readonly number[],
  values: readonly (Num | undefined)[],
  sign: 1 | -1,
): void {
  const all = names.length;
  let count = 0;
  for (let j = 0; j < all; j++) if (values[mis[j]!] !== undefined) count++;
  if (count === 0) return;
  const deltas = new Array<Num>(count);
  if (count === all) {
    for (let j = 0; j < all; j++) {
      const v = values[mis[j]!] as Num;
      deltas[j] = sign === 1 ? v : negNum(v);
    }
    acc.attrs = names as string[];
    acc.deltas = deltas;
    return;
  }
  const attrs = new Array<string>(count);
  let n = 0;
  for (let j = 0; j < all; j++) {
    const v = values[mis[j]!];
    if (v === undefined) continue;
    attrs[n] = names[j]!;
    deltas[n++] = sign === 1 ? v : negNum(v);
  }
  acc.attrs = attrs;
  acc.deltas = deltas;
}

function need(image: Image | undefined, c: CompiledRollup, change: Change, which: 'old' | 'new'): Image {
  if (image !== undefined) return image;
  throw new DynotallyError(
    'IMAGE_MISSING',
    `rollup '${c.name}': a ${change.kind} record has no ${which} image; set the table's stream view type to NEW_AND_OLD_IMAGES`,
    { details: { rollup: c.name, kind: change.kind, sequenceNumber: change.sequenceNumber } },
  );
}

function sameFor(attrs: readonly string[], a: Image, b: Image): boolean {
  for (let i = 0; i < attrs.length; i++) {
    const name = attrs[i]!;
    const x = a[name];
    const y = b[name];
    if (x === y) continue;
    if (x === undefined || y === undefined) return false;
    if (x.S !== y.S || x.N !== y.N || x.BOOL !== y.BOOL || x.NULL !== y.NULL) return false;
    if (x.S === undefined && x.N === undefined && x.BOOL === undefined && x.NULL === undefined) return false;
  }
  return true;
}
