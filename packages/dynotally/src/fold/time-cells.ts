import type { CompiledRollup } from '../definition/index.ts';
import { setBounded } from '../time/bounded-map.ts';
import type { Bucket } from '../time/index.ts';
import { type CellSlot, cellSlots, slotNames } from './cell-names.ts';

/**
 * Everything an event time decides for one rollup: per row kind the host bucket (its label is the row's sort
 * key), and per row kind and cell slot the attribute names per measure. Valid for every instant in
 * `[start, end)`, the intersection of all the buckets it was computed from, so the same entry serves every
 * event in that span exactly (whatever the zone's offsets do, the span never crosses a bucket boundary).
 *
 * @example
 * ```ts
 * const at = new TimeCells(rollup.compiled).at(Date.UTC(2026, 10, 22, 13, 5));
 * at.hosts[0]?.label; // 'H2026-11-22T13'
 * ```
 */
export interface TimeCellsAt {
  readonly start: number;
  readonly end: number;
  /** Per row kind: the bucket of the row (compared by identity in the coalescer's groups). */
  readonly hosts: readonly Bucket[];
  /**
   * Per row kind: the row's cells in order (cell slot by slot, each slot's measures in order), by attribute
   * name; the measure of each is at the same index of {@link TimeCells.measures}. Never written after it is
   * made, so the fold may hand the very array to a row as its attribute list.
   */
  readonly cells: readonly (readonly string[])[];
}

/** An entry whose span is empty: no instant is in it. */
const NO_ENTRY: TimeCellsAt = { start: 0, end: 0, hosts: [], cells: [] };

/** Size − 1 of the direct-mapped table of recent entries (a power of two). */
const MASK = 63;
const DAY_MS = 86_400_000;
/** Entries of the second level: 8,192 minutes are 5.7 days of a minute rollup's spans (about 400 bytes each). */
const OLDER_LIMIT = 8192;

/** Nominal width of the rollup's finest granularity, capped at a day: the table's index step. */
function indexWidth(c: CompiledRollup): number {
  let w = DAY_MS;
  for (const g of c.granularities) {
    const width =
      g.kind === 'second'
        ? 1000
        : g.kind === 'minute'
          ? 60_000
          : g.kind === 'nminute'
            ? (g.minutes ?? 1) * 60_000
            : g.kind === 'hour'
              ? 3_600_000
              : DAY_MS;
    if (width < w) w = width;
  }
  return w;
}

/**
 * The time-dependent part of the fold for one rollup, cached per span of time: events in the same finest
 * bucket (the common case, and late events a few buckets back) take every row's bucket and every packed
 * attribute name from one entry found by one range check, instead of one calendar lookup per row kind and
 * placement. Entries sit in a direct-mapped table of 64, indexed by the event time in steps of the finest
 * granularity's width, backed by a bounded map by the same index for the old images of modifies and removes
 * (which land anywhere in the past), so a span's buckets and labels are computed once.
 *
 * @example
 * ```ts
 * const cells = new TimeCells(rollup.compiled);
 * const at = cells.at(eventTimeMs);
 * at.cells[0]?.[0]; // 'orders' (or 'orders_22' for a day packed in its month row)
 * ```
 */
export class TimeCells {
  /** Per row kind: its cell slots (one per placement). */
  readonly slots: readonly CellSlot[][];
  /** Per row kind: the measure index of each of its cells, in the order of {@link TimeCellsAt.cells}. */
  readonly measures: readonly (readonly number[])[];
  private readonly width: number;
  /** Second level, by index step: bounded (emptied when full). */
  private readonly older = new Map<number, TimeCellsAt>();
  private readonly table: (TimeCellsAt | undefined)[] = new Array<TimeCellsAt | undefined>(MASK + 1).fill(
    undefined,
  );

  constructor(private readonly c: CompiledRollup) {
    this.slots = c.rows.map((k) => cellSlots(c, k));
    this.measures = this.slots.map((slots) => slots.flatMap((slot) => slot.measures));
    this.width = indexWidth(c);
  }

  /** The entry returned last: consecutive events mostly fall in its span. */
  private last: TimeCellsAt = NO_ENTRY;
  /**
   * The entry returned before `last`: a modify or remove reads an old image (days back) and then the new one
   * (now), so the entry of the new image is the one before the old image's.
   */
  private prev: TimeCellsAt = NO_ENTRY;

  /** The entry for instant `t` (an instant the calendar accepts: checked by the caller). */
  at(t: number): TimeCellsAt {
    const last = this.last;
    if (t >= last.start && t < last.end) return last;
    const prev = this.prev;
    const found = t >= prev.start && t < prev.end ? prev : this.lookUp(t);
    this.prev = last;
    this.last = found;
    return found;
  }

  private lookUp(t: number): TimeCellsAt {
    const key = Math.floor(t / this.width);
    const i = key & MASK;
    const hit = this.table[i];
    if (hit !== undefined && t >= hit.start && t < hit.end) return hit;
    // an older image (a modify or remove of an item written days ago): the second level keeps every span seen
    let known = this.older.get(key);
    if (known === undefined || !(t >= known.start && t < known.end)) {
      known = this.make(t);
      setBounded(this.older, key, known, OLDER_LIMIT);
    }
    this.table[i] = known;
    return known;
  }

  private make(t: number): TimeCellsAt {
    const c = this.c;
    const cal = c.calendar;
    let start = Number.NEGATIVE_INFINITY;
    let end = Number.POSITIVE_INFINITY;
    // exact-size arrays (push would reserve 17 slots each, and the map keeps thousands of entries)
    const kinds = c.rows.length;
    const hosts = new Array<Bucket>(kinds);
    const cells = new Array<string[]>(kinds);
    for (let r = 0; r < kinds; r++) {
      const host = cal.bucket(c.rows[r]!.row, t);
      if (host.start > start) start = host.start;
      if (host.end < end) end = host.end;
      hosts[r] = host;
      const slots = this.slots[r]!;
      const names = new Array<string>(this.measures[r]!.length);
      let n = 0;
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k]!;
        const p = slot.placement;
        let perMeasure = slot.names;
        if (!p.own) {
          const sub = cal.bucket(p.granularity, t);
          if (sub.start > start) start = sub.start;
          if (sub.end < end) end = sub.end;
          perMeasure = slotNames(slot, c, sub, host);
        }
        const ms = slot.measures;
        for (let j = 0; j < ms.length; j++) names[n++] = perMeasure[ms[j]!]!;
      }
      cells[r] = names;
    }
    return { start, end, hosts, cells };
  }
}
