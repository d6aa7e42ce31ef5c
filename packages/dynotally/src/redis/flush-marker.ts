import { bucketMarker } from './keys.ts';

// A flush marker (`_fb`) names the last flush bucket a row has absorbed, and since session 19 also the newest
// *seal move* at or before that bucket. `flushClosed({ all: true })` moves the cells of open buckets (say 12:15)
// into a bucket named by the seal (11:59:55), below their old name. A reader whose snapshot still holds 12:15
// cannot learn that from the bucket id alone: the marker tells it (`absorbedBy` in live-source.ts).
//
//   <bucket>                      no seal move known at or before the bucket (every marker before session 19)
//   <bucket>^<move>@<epoch>       the newest move at or before <bucket> named bucket <move>, in Redis epoch <epoch>
//   …|<attribute> , …|~           the parts of a wide row (row-parts.ts), after either form
//
// Bucket and move ids are 15 zero-padded digits (`bucketMarker`), so markers still compare as strings in bucket
// order: the flusher's `_fb < :marker` condition needs nothing new. A bucket's move suffix is the same on every
// run (a new move always lands above the seal, hence above every bucket being flushed), so a re-run after a crash
// writes the same markers. The epoch (`ep` in Redis: the Redis time, in µs, when the key was created) tells a
// move made since a snapshot from one made before Redis lost its keys, when the snapshot found no seal.

/**
 * Lua: `epoch(ttl)` returns the buffer's epoch (`ep`), creating it from the Redis clock when Redis has none (a
 * fresh or emptied Redis). Needs LUA_KEYS (`P`). Every seal and every snapshot calls it, so a snapshot and a
 * later seal move agree on it unless Redis loses its keys in between.
 *
 * @example
 * ```ts
 * const script = new LuaScript(`${LUA_KEYS}${LUA_EPOCH}\nreturn epoch(604800000)`);
 * ```
 */
export const LUA_EPOCH = `
local function epoch(ttl)
  local e = redis.call('GET', P .. 'ep')
  if e then return e end
  local t = redis.call('TIME')
  e = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', P .. 'ep', e, 'PX', ttl)
  return e
end
`;

/**
 * Separates a flush marker's bucket from the seal move it carries: `<bucket>^<move>@<epoch>`.
 *
 * @example
 * ```ts
 * flushMarker(1795352400000, '1795352395000@1764888000123456'); // '001795352400000^001795352395000@1764888000123456'
 * ```
 */
export const MOVE_MARKER_SEPARATOR = '^';

/**
 * The flush-marker value of a bucket (before any part suffix): its {@link bucketMarker}, followed by
 * `^<move>@<epoch>` when a seal move (`flushClosed({ all: true })`) at or before it is known to Redis. `move` is
 * the move's entry in Redis (`mv`): `<bucket id>@<epoch>`.
 *
 * @example
 * ```ts
 * flushMarker(1795352400000); // '001795352400000'
 * flushMarker(1795352400000, '1795352395000@1764888000123456'); // '001795352400000^001795352395000@1764888000123456'
 * ```
 */
export function flushMarker(bucket: number | string, move?: string): string {
  const b = bucketMarker(bucket);
  if (move === undefined) return b;
  const at = move.indexOf('@');
  const id = at < 0 ? move : move.slice(0, at);
  const epoch = at < 0 ? '' : move.slice(at);
  return `${b}${MOVE_MARKER_SEPARATOR}${bucketMarker(id)}${epoch}`;
}

/** A stored flush marker taken apart: its bucket and move ids (15 digits each), the move's epoch, its part. */
export interface ParsedFlushMarker {
  readonly bucket: string;
  readonly move: string | undefined;
  readonly epoch: string | undefined;
  readonly part: string | undefined;
}

/**
 * Takes a stored flush marker apart ({@link flushMarker}, plus the `|<part>` of a wide row's parts).
 *
 * @example
 * ```ts
 * parseFlushMarker('001795352400000^001795352395000@1764888000123456|~');
 * // { bucket: '001795352400000', move: '001795352395000', epoch: '1764888000123456', part: '~' }
 * parseFlushMarker('001795352400000'); // { bucket: '001795352400000', move: undefined, epoch: undefined, part: undefined }
 * ```
 */
export function parseFlushMarker(stored: string): ParsedFlushMarker {
  const bar = stored.indexOf('|'); // row-parts.ts's PART_MARKER_SEPARATOR (which imports this file)
  const head = bar < 0 ? stored : stored.slice(0, bar);
  const part = bar < 0 ? undefined : stored.slice(bar + 1);
  const hat = head.indexOf(MOVE_MARKER_SEPARATOR);
  if (hat < 0) return { bucket: head, move: undefined, epoch: undefined, part };
  const move = head.slice(hat + 1);
  const at = move.indexOf('@');
  return {
    bucket: head.slice(0, hat),
    move: at < 0 ? move : move.slice(0, at),
    epoch: at < 0 ? undefined : move.slice(at + 1),
    part,
  };
}
