import type { Image, PlainItem } from '../decode/index.ts';
import type { RowKind } from '../layout/placement.ts';
import type { GranularitySpec, ZoneCalendar } from '../time/index.ts';
import type { MeasureKind } from './measures.ts';
import type { GroupValue, TimeFormat } from './types.ts';
import type { CompiledWhere } from './where.ts';

/**
 * A measure after validation: its storage attribute, compiled filter and the granularities it is kept at.
 *
 * @example
 * ```ts
 * rollup.measures[0]; // { name: 'orders', kind: 'count', storeAs: 'orders', ... }
 * ```
 */
export interface CompiledMeasure {
  readonly name: string;
  readonly index: number;
  readonly kind: MeasureKind;
  readonly attribute: string | undefined;
  readonly storeAs: string;
  readonly where: CompiledWhere | undefined;
  /** Granularity ids this measure is kept at. */
  readonly granularities: ReadonlySet<string>;
  /** count and sum: invertible, written with ADD. */
  readonly additive: boolean;
}

/**
 * A row kind with the per-row facts the planner needs.
 *
 * @example
 * ```ts
 * rollup.rows.find((r) => r.row.id === 'hour')?.retentionMs; // 7 days in ms
 * ```
 */
export interface CompiledRowKind extends RowKind {
  /** How long rows of this kind are kept after their bucket ends (Infinity: no TTL). */
  readonly retentionMs: number;
  /** The leaderboard ranks this row kind's own total. */
  readonly ranked: boolean;
}

/**
 * Everything the fold, planner and query client need, resolved once at definition time.
 *
 * @example
 * ```ts
 * const compiled = rollup.compiled;
 * compiled.calendar.bucket(compiled.rows[0].row, Date.now()).label;
 * ```
 */
export interface CompiledRollup {
  readonly name: string;
  readonly timeZone: string;
  readonly calendar: ZoneCalendar;
  readonly granularities: readonly GranularitySpec[];
  readonly measures: readonly CompiledMeasure[];
  readonly rows: readonly CompiledRowKind[];
  /** Group attribute names in key order (for a groupBy function: known only per item). */
  readonly groupAttributes: readonly string[] | undefined;
  readonly groupFn: ((item: PlainItem) => Readonly<Record<string, GroupValue>> | undefined) | undefined;
  /**
   * A group's attribute names in key order, where the definition tells them: the groupBy attributes as listed,
   * or a groupBy function's declared `names` sorted (`groupBy: { names, fn }`, every group checked against them);
   * `undefined` for a plain groupBy function, whose names are known only per item.
   */
  readonly groupNames: readonly string[] | undefined;
  readonly match: CompiledWhere | undefined;
  readonly time: { readonly attribute: string; readonly format: TimeFormat } | undefined;
  readonly ttlDeletes: 'subtract' | 'ignore';
  /** Retention per granularity id (Infinity = forever). */
  readonly retentionMs: ReadonlyMap<string, number>;
  readonly leaderboard:
    | { readonly measure: string; readonly granularities: ReadonlySet<string>; readonly shards: number }
    | undefined;
  /** Attributes the rollup reads from images (undefined when a callback may read anything). */
  readonly reads: readonly string[] | undefined;
  /**
   * The longest string (UTF-8 bytes) a `last()` value may have so that no row passes DynamoDB's 400 KB
   * (`Infinity` without `last` measures); longer values make the record poison (`ITEM_TOO_LARGE`).
   */
  readonly lastValueMaxBytes: number;
  /** Digest of everything that changes what is stored (`rollupFingerprint`): a changed one is a new version. */
  readonly fingerprint: string;
  /**
   * How the fingerprint counts the definition's functions (`match`, `groupBy`, a measure's `where`): `none`
   * when it has none, `source` by their source text, `named` by its `functionsVersion`.
   */
  readonly fingerprintFunctions: 'none' | 'source' | 'named';
}

export type { Image };
