import type { IANAZone } from 'luxon';
import { DynotallyError } from '../errors/index.ts';
import { setBounded } from './bounded-map.ts';

/**
 * Width of an offset cache slot: 15 minutes of UTC time.
 *
 * @example
 * ```ts
 * const slot = Math.floor(Date.now() / SLOT_MS);
 * ```
 */
export const SLOT_MS = 900_000;
/** Slots per cache chunk (1024 × 15 min ≈ 10.7 days); a chunk is one `Float64Array`. */
const CHUNK_SLOTS = 1024;
/** Chunks kept before the cache is emptied: 512 × 8 KiB = 4 MiB, about 15 years of slots. */
const CHUNK_LIMIT = 512;
const SLOT_START_LIMIT = 100_000;
const WALL_CACHE_LIMIT = 20_000;
/**
 * Half-width of the window searched for the instant of a local wall time. Larger than any UTC offset
 * (tzdb's extremes are about ±16 h), and the whole window (60 h) is shorter than the smallest gap
 * between two offset changes of any zone since 1900 (about 95 h), so it holds at most one change.
 * A multiple of `SLOT_MS`, so that its ends are slot starts.
 */
const WALL_SEARCH_MS = 30 * 3_600_000;
/** Marks a slot whose offset changes inside it (see `irregular`); unknown slots hold NaN. */
const IRREGULAR = Number.POSITIVE_INFINITY;

interface IrregularSlot {
  /** The instant the offset changes (a whole second inside the slot). */
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/**
 * Exact UTC offsets of one IANA zone, cached per 15-minute UTC slot, with the boundary searches built
 * on them. Luxon (that is, `Intl`) is asked only on cache misses.
 *
 * Most offset changes fall on a 15-minute UTC boundary, and then a slot has one offset. Some do not
 * (America/St_Johns changed at 00:01 local, i.e. 03:31Z, from 1987 to 1999; Africa/Monrovia at 00:44:30Z
 * in 1972): such a slot is detected when it is first resolved and stores the exact second of its change,
 * so offsets stay exact. Assumed (true of tzdb since 1900): no two offset changes are closer than the
 * search windows used here (at most 60 hours).
 *
 * @example
 * ```ts
 * import { IANAZone } from 'luxon';
 * const london = new ZoneOffsets(IANAZone.create('Europe/London'));
 * london.offsetMs(Date.UTC(2026, 6, 1)); // 3_600_000
 * ```
 */
export class ZoneOffsets {
  private readonly zone: IANAZone;
  /** chunk → offsets of its slots (ms), NaN while unknown, IRREGULAR when the offset changes inside. */
  private readonly chunks = new Map<number, Float64Array>();
  private lastChunk = Number.NaN;
  private lastSlots: Float64Array = new Float64Array(0);
  private readonly irregular = new Map<number, IrregularSlot>();
  /** slot → Luxon's offset at the slot's first millisecond. */
  private readonly slotStarts = new Map<number, number>();
  /** local wall time (ms of a UTC-read wall clock) → first instant at or past it. */
  private readonly walls = new Map<number, number>();

  constructor(zone: IANAZone) {
    this.zone = zone;
  }

  /** UTC offset (ms, local − UTC) at instant `t`. */
  offsetMs(t: number): number {
    const k = Math.floor(t / SLOT_MS);
    const chunk = Math.floor(k / CHUNK_SLOTS);
    const slots = chunk === this.lastChunk ? this.lastSlots : this.useChunk(chunk);
    const o = slots[k - chunk * CHUNK_SLOTS]!;
    return o < IRREGULAR ? o : this.offsetInSlot(k, t); // NaN (unknown) and IRREGULAR fail the test
  }

  /**
   * The instant of the one offset change in `(a, b]`. Precondition: `offsetMs(a) !== offsetMs(b)` and
   * `b − a` no longer than 60 hours.
   */
  findChange(a: number, b: number): number {
    const oa = this.offsetMs(a);
    const ka = Math.floor(a / SLOT_MS);
    const kb = Math.floor(b / SLOT_MS);
    if (ka === kb) return this.changeInSlot(ka);
    // Smallest slot k in (ka, kb] whose first millisecond no longer has offset oa.
    let lo = ka;
    let hi = kb + 1;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.startOffset(mid) === oa) lo = mid;
      else hi = mid;
    }
    if (hi === kb + 1) return this.changeInSlot(kb);
    // The change is either exactly at slot hi's start or inside slot hi − 1.
    return this.offsetMs(hi * SLOT_MS - 1) === oa ? hi * SLOT_MS : this.changeInSlot(hi - 1);
  }

  /**
   * The first instant whose local wall time (read as UTC ms) is at or past `wall`: the instant of that wall
   * time, its earlier occurrence when repeated (fall back), or the end of the gap when skipped (spring forward).
   * Precondition: `wall` is a whole number of days (a local midnight).
   */
  wallToInstant(wall: number): number {
    const cached = this.walls.get(wall);
    if (cached !== undefined) return cached;
    const p = wall - WALL_SEARCH_MS;
    const q = wall + WALL_SEARCH_MS;
    // p and q are slot starts (wall is a whole day, WALL_SEARCH_MS whole slots): one Luxon call each.
    const op = this.startOffset(p / SLOT_MS);
    const oq = this.startOffset(q / SLOT_MS);
    let t: number;
    if (op === oq) t = wall - op;
    else {
      const change = this.findChange(p, q);
      if (wall - op < change) t = wall - op;
      else if (change + oq >= wall) t = change;
      else t = wall - oq;
    }
    setBounded(this.walls, wall, t, WALL_CACHE_LIMIT);
    return t;
  }

  private useChunk(chunk: number): Float64Array {
    let slots = this.chunks.get(chunk);
    if (slots === undefined) {
      if (this.chunks.size >= CHUNK_LIMIT) {
        this.chunks.clear();
        this.irregular.clear();
      }
      slots = new Float64Array(CHUNK_SLOTS).fill(Number.NaN);
      this.chunks.set(chunk, slots);
    }
    this.lastChunk = chunk;
    this.lastSlots = slots;
    return slots;
  }

  /** The resolved offset of slot `k`, or IRREGULAR. */
  private slotOffset(k: number): number {
    const chunk = Math.floor(k / CHUNK_SLOTS);
    const slots = chunk === this.lastChunk ? this.lastSlots : this.useChunk(chunk);
    const i = k - chunk * CHUNK_SLOTS;
    let o = slots[i]!;
    if (Number.isNaN(o)) {
      o = this.resolveSlot(k);
      slots[i] = o;
    }
    return o;
  }

  private offsetInSlot(k: number, t: number): number {
    const o = this.slotOffset(k);
    if (o !== IRREGULAR) return o;
    const irregular = this.irregularSlot(k);
    return t < irregular.at ? irregular.before : irregular.after;
  }

  private irregularSlot(k: number): IrregularSlot {
    return this.irregular.get(k) ?? this.resolveIrregular(k);
  }

  private resolveIrregular(k: number): IrregularSlot {
    this.resolveSlot(k); // evicted meanwhile: resolve again
    return this.irregular.get(k)!;
  }

  private changeInSlot(k: number): number {
    if (this.slotOffset(k) === IRREGULAR) return this.irregularSlot(k).at;
    throw new Error(`dynotally internal error: no offset change in slot ${k} of ${this.zone.name}`);
  }

  /** Asks Luxon for slot `k`: its offset, or IRREGULAR after recording where inside it the offset changes. */
  private resolveSlot(k: number): number {
    const first = k * SLOT_MS;
    const before = this.startOffset(k);
    if (this.startOffset(k + 1) === before) return before;
    const lastSecond = first + SLOT_MS - 1000;
    const after = this.luxonOffset(lastSecond);
    if (after === before) return before; // the change is at the next slot's start
    // Offsets change on whole seconds: bisect the seconds of the slot.
    let lo = first;
    let hi = lastSecond;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.luxonOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    this.irregular.set(k, { at: hi, before, after });
    return IRREGULAR;
  }

  private startOffset(k: number): number {
    let o = this.slotStarts.get(k);
    if (o === undefined) {
      o = this.luxonOffset(k * SLOT_MS);
      setBounded(this.slotStarts, k, o, SLOT_START_LIMIT);
    }
    return o;
  }

  private luxonOffset(t: number): number {
    const minutes = this.zone.offset(t);
    if (Number.isFinite(minutes)) return Math.round(minutes * 60) * 1000;
    throw new DynotallyError(
      'UNKNOWN_TIME_ZONE',
      `time zone '${this.zone.name}' has no offset at ${t}: use instants between years 1 and 9999 and a zone this runtime's Intl knows, e.g. 'Europe/London' or 'UTC'`,
      { details: { zone: this.zone.name, t } },
    );
  }
}
