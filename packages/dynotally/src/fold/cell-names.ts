import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { Placement } from '../layout/placement.ts';
import type { Bucket } from '../time/index.ts';

/**
 * The attribute suffix of a packed bucket inside its host row: `_<index>` where the index is minutes (or
 * seconds) from the host row's start, the day of month, the month of year, or the year.
 *
 * @example
 * ```ts
 * packedSuffix(dayInMonthPlacement, dayBucket, monthBucket); // '_22'
 * ```
 */
export function packedSuffix(p: Placement, sub: Bucket, host: Bucket): string {
  switch (p.sub) {
    case 'min':
      return `_${(sub.start - host.start) / 60_000}`;
    case 'nmin':
      return `_${p.granularity.minutes}m${(sub.start - host.start) / 60_000}`;
    case 'sec':
      return `_${(sub.start - host.start) / 1000}`;
    case 'dom':
      return `_${Number(sub.label.slice(9, 11))}`;
    case 'moy':
      return `_${Number(sub.label.slice(6, 8))}`;
    case 'year':
      return `_${sub.label.slice(1)}`;
    default:
      return '';
  }
}

/**
 * The number that names a packed bucket inside its host row (see {@link packedSuffix}): minutes or seconds
 * from the host's start, day of month, month of year or year; 0 for a granularity stored as its own row.
 *
 * @example
 * ```ts
 * packedIndex(dayInMonthPlacement, dayBucket, monthBucket); // 22
 * ```
 */
export function packedIndex(p: Placement, sub: Bucket, host: Bucket): number {
  switch (p.sub) {
    case 'min':
    case 'nmin':
      return (sub.start - host.start) / 60_000;
    case 'sec':
      return (sub.start - host.start) / 1000;
    case 'dom':
      return Number(sub.label.slice(9, 11));
    case 'moy':
      return Number(sub.label.slice(6, 8));
    case 'year':
      return Number(sub.label.slice(1));
    default:
      return 0;
  }
}

const NAMES_PER_SLOT_LIMIT = 10_000;

/**
 * Per placement: which measures are kept there, and the attribute names per packed index, interned (the same
 * cell always yields the very same string, so the accumulator's name comparisons are pointer checks), with a
 * one-entry cache for the last (sub-bucket, host) pair seen.
 */
export interface CellSlot {
  readonly placement: Placement;
  readonly measures: readonly number[];
  lastSub: Bucket | undefined;
  lastHost: Bucket | undefined;
  names: string[];
  readonly byIndex: Map<number, string[]>;
}

/**
 * The cell slots of one row kind.
 *
 * @example
 * ```ts
 * const slots = cellSlots(rollup.compiled, rollup.compiled.rows[0]);
 * ```
 */
export function cellSlots(c: CompiledRollup, kind: CompiledRowKind): CellSlot[] {
  return kind.placements.map((placement) => ({
    placement,
    measures: c.measures.filter((m) => m.granularities.has(placement.granularity.id)).map((m) => m.index),
    lastSub: undefined,
    lastHost: undefined,
    names: c.measures.map((m) => m.storeAs),
    byIndex: new Map(),
  }));
}

/**
 * The attribute names for a slot at a sub-bucket inside a host bucket (interned, cached).
 *
 * @throws {DynotallyError} `VALUE_INVALID` when the sub-bucket is not a whole number of minutes (or seconds)
 *   from its host's start, which only an offset change inside a local-mean-time minute makes (Africa/Monrovia's
 *   hour of 1972-01-07 00:44:30Z starts 30 s into a UTC minute): no attribute name could hold it.
 *
 * @example
 * ```ts
 * slotNames(slot, c, sub, host)[0]; // 'orders_22'
 * ```
 */
export function slotNames(slot: CellSlot, c: CompiledRollup, sub: Bucket, host: Bucket): string[] {
  if (slot.lastSub === sub && slot.lastHost === host) return slot.names;
  const index = packedIndex(slot.placement, sub, host);
  if (!Number.isInteger(index)) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `the ${slot.placement.granularity.id} bucket ${sub.label} does not start a whole number of units into the ${host.label} row of rollup '${c.name}' (the zone ${c.timeZone} changed its offset by a fraction of a minute there): the record cannot be counted at this time`,
      { details: { rollup: c.name, bucket: sub.label, row: host.label, zone: c.timeZone } },
    );
  }
  let names = slot.byIndex.get(index);
  if (names === undefined) {
    const suffix = packedSuffix(slot.placement, sub, host);
    names = [];
    for (const m of c.measures) names.push(m.storeAs + suffix);
    if (slot.byIndex.size >= NAMES_PER_SLOT_LIMIT) slot.byIndex.clear();
    slot.byIndex.set(index, names);
  }
  slot.names = names;
  slot.lastSub = sub;
  slot.lastHost = host;
  return names;
}

/** The attribute holding the time of a `last` value. */
export function lastTimeAttr(valueAttr: string): string {
  return `${valueAttr}_t`;
}
