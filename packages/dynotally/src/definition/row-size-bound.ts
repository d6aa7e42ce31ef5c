import { DynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { Placement, RowKind } from '../layout/placement.ts';
import type { CompiledMeasure } from './compiled.ts';

/** Bytes of the largest number DynamoDB stores (38 digits: 1 byte per two digits, plus 1), rounded up. */
const NUMBER_BYTES = 21;
/** Longest packed-bucket suffix (`_1499`, `_9998`, `_15m45`, …), rounded up. */
const SUFFIX_BYTES = 12;
/** Longest bucket label (sort key), rounded up (`H2026-11-22T13:05:30` is 20). */
const LABEL_BYTES = 32;
/**
 * Per-shard states a row can carry at once, priced at the 0.2 string form (`w_<12 hex>` = `<40 digits>|<epoch s>`,
 * 65 bytes; the compact `~…` number is 24–27 bytes): states are pruned once older than the redelivery horizon
 * (24 h retention + 1 h), so this covers a row written from hundreds of shards within a day.
 */
export const WATERMARKS_PER_ROW = 500;
/**
 * Distinct years assumed in a row that packs years (the `all` row): years are unbounded in theory (0001–9998),
 * so the bound takes this many; event times spread over more years per group could still outgrow the row.
 */
export const YEARS_PER_ROW = 1000;

/**
 * Bookkeeping attributes of any row: pk, sk, updatedAt, ttl, lbk, lbv, the Redis flush marker and refused-part
 * marker, watermarks.
 */
const BOOKKEEPING_BYTES =
  2 +
  DYNAMO_LIMITS.partitionKeyBytes +
  2 +
  LABEL_BYTES +
  (9 + NUMBER_BYTES) + // updatedAt
  (3 + NUMBER_BYTES) + // ttl
  (3 + 64 + 1 + LABEL_BYTES + 1 + 3) + // lbk = <rollup>#<label>#<shard>
  (3 + NUMBER_BYTES) + // lbv
  (3 + 64 + 34) + // _fb: <bucket>[^<move>@<epoch>]|<part>, the seal move adding 34 (redis/flush-marker.ts)
  (3 + 64 + 34) + // _fr: the marker of a part DynamoDB refused, the same form (redis/refused-marker.ts)
  WATERMARKS_PER_ROW * (14 + 51);

/**
 * How many buckets of a placement one row can hold: 1 for its own total, else the packed buckets of the
 * host (a DST day has 25 hours; N-minute buckets are clamped at offset changes, so one more).
 */
function cellsPer(p: Placement): number {
  switch (p.sub) {
    case undefined:
      return 1;
    case 'sec':
      return 60;
    case 'min':
      return p.granularity.kind === 'hour' ? 25 : 60;
    case 'nmin':
      return Math.ceil(60 / (p.granularity.minutes ?? 1)) + 1;
    case 'dom':
      return 31;
    case 'moy':
      return 12;
    case 'year':
      return YEARS_PER_ROW;
    default:
      return 1;
  }
}

/**
 * The size bound of one row kind: the bytes a row can reach with every cell present and every number at 38
 * digits (`fixedBytes`), and how many `last` cells it holds whose value may be a string of any length
 * (`lastCells`).
 *
 * @example
 * ```ts
 * rowSizeBound(rollup.compiled.rows[0], rollup.compiled.measures); // { fixedBytes: 41_000, lastCells: 0 }
 * ```
 */
export function rowSizeBound(
  row: RowKind,
  measures: readonly CompiledMeasure[],
): { fixedBytes: number; lastCells: number } {
  let fixedBytes = BOOKKEEPING_BYTES;
  let lastCells = 0;
  for (const p of row.placements) {
    const cells = cellsPer(p);
    for (const m of measures) {
      if (!m.granularities.has(p.granularity.id)) continue;
      const name = Buffer.byteLength(m.storeAs, 'utf8') + (p.own ? 0 : SUFFIX_BYTES);
      if (m.kind === 'last') {
        fixedBytes += cells * (name + (name + 2 + NUMBER_BYTES)); // the value's name + `<name>_t`
        lastCells += cells;
      } else fixedBytes += cells * (name + NUMBER_BYTES);
    }
  }
  return { fixedBytes, lastCells };
}

/**
 * The longest string (UTF-8 bytes) a `last()` measure may keep so that no row of the rollup can pass
 * DynamoDB's 400 KB; `Infinity` without `last` measures. Throws `DEFINITION_INVALID` when a row kind could
 * outgrow 400 KB even with short values (too many measures packed at fine granularities): split the rollup.
 *
 * @example
 * ```ts
 * lastValueLimit('meter', rows, measures); // e.g. 2_900 bytes with last(power) packed per minute
 * ```
 */
export function lastValueLimit(
  rollup: string,
  rows: readonly RowKind[],
  measures: readonly CompiledMeasure[],
): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    const { fixedBytes, lastCells } = rowSizeBound(row, measures);
    const room = DYNAMO_LIMITS.itemBytes - fixedBytes;
    // a last() cell must at least hold a number (or a short string) next to everything else
    if (room < lastCells * NUMBER_BYTES) {
      throw new DynotallyError(
        'DEFINITION_INVALID',
        `rollup '${rollup}': a '${row.row.id}' row could grow to ${fixedBytes + lastCells * NUMBER_BYTES} bytes, over DynamoDB's 400 KB item limit; keep fewer measures at fine granularities (or split the rollup in two)`,
        { details: { rollup, row: row.row.id, bytes: fixedBytes, limit: DYNAMO_LIMITS.itemBytes } },
      );
    }
    if (lastCells > 0) limit = Math.min(limit, Math.floor(room / lastCells));
  }
  return limit;
}
