import { additionParts, additionsFit } from '../layout/write-limits.ts';
import type { RowWrite } from '../plan/index.ts';
import { parseFlushMarker } from './flush-marker.ts';

/**
 * Separates a flush marker's bucket from the part of a row written so far: a row of a flush bucket too wide for
 * one write is written in parts, and each part sets the row's `_fb` to `<bucket marker>|<last attribute of the
 * part>` (the final part: `<bucket marker>|~`). Attribute names are letters, digits and `_`, all below `~`.
 *
 * @example
 * ```ts
 * `${bucketMarker(b)}${PART_MARKER_SEPARATOR}readings_41`; // '001795352400000|readings_41'
 * ```
 */
export const PART_MARKER_SEPARATOR = '|';

/**
 * The part suffix of the final part of a row written in parts: every attribute of the row is written.
 *
 * @example
 * ```ts
 * `${bucketMarker(b)}|${ALL_PARTS}`; // '001795352400000|~'
 * ```
 */
export const ALL_PARTS = '~';

/** One write of a flushed row: the deltas it adds and the flush-marker value it sets (and must stay below). */
export interface RowPart {
  readonly row: RowWrite;
  readonly marker: string;
  /** The part's suffix (`undefined`: the row in one write, today's form). */
  readonly part: string | undefined;
}

/**
 * The writes of one row of a flush bucket, in order. A row whose additions fit one write
 * ({@link additionsFit}) is one write setting the bucket's marker, exactly as ever. A wider one is cut, in
 * attribute order, into parts that each fit; part `k` sets `_fb` to `<marker>|<its last attribute>` (the last
 * part `<marker>|~`, with the leaderboard entry) only if `_fb` is below that: these values grow part by part,
 * all stay above every earlier bucket's and below every later bucket's, so a re-run of the flush, or one
 * after a crash between two parts, writes exactly the parts not written yet. The same cells give the same parts.
 *
 * @example
 * ```ts
 * rowParts(row, '001795352400000'); // [{ marker: '001795352400000|apparentPower_9', … }, …, { marker: '001795352400000|~', … }]
 * ```
 */
export function rowParts(row: RowWrite, marker: string): RowPart[] {
  const names = row.adds.map(([a]) => a);
  if (row.leaderboard !== undefined) names.push('lbv');
  if (additionsFit(names)) return [{ row, marker, part: undefined }];
  const chunks = additionParts(row.adds, row.leaderboard !== undefined);
  return chunks.map((c, k) => {
    const last = k === chunks.length - 1;
    const part = last ? ALL_PARTS : (c[c.length - 1] as RowWrite['adds'][number])[0];
    return {
      row: { ...row, adds: c, leaderboard: last ? row.leaderboard : undefined },
      marker: `${marker}${PART_MARKER_SEPARATOR}${part}`,
      part,
    };
  });
}

/**
 * Whether a row whose `_fb` is `stored` holds the cells of `attr` of the flush bucket with marker `bucket` (its
 * 15-digit {@link bucketMarker}): `_fb` at or past the bucket (its marker, a later bucket's, or its final part), or
 * a part of the bucket that covers `attr` (attributes up to the part's last, in order; the leaderboard entry
 * `lbv` goes last). A seal move the stored marker carries (`^<move>`, flush-marker.ts) does not change which
 * bucket it names.
 *
 * @example
 * ```ts
 * flushedCell('001795352400000|readings_41', '001795352400000', 'readings_12'); // true
 * flushedCell('001795352400000|readings_41', '001795352400000', 'readings_5'); // false ('readings_5' > 'readings_41')
 * flushedCell('001795352400000^001795352395000', '001795352395000', 'n'); // true
 * ```
 */
export function flushedCell(stored: string | undefined, bucket: string, attr: string): boolean {
  if (stored === undefined) return false;
  const m = parseFlushMarker(stored);
  if (m.bucket !== bucket) return m.bucket > bucket;
  if (m.part === undefined || m.part === ALL_PARTS) return true;
  return attr !== 'lbv' && attr <= m.part;
}
