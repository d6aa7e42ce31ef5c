import { DynotallyError } from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';

/** The most segments a backfill has (`--segments`' bound). */
const MAX_SEGMENTS = 1_000_000;

/**
 * The segments an `--only-segments` list names (`0-24`, `0,5,7-9`), in order and without repeats. Checked against
 * `count` when it is known here (`--segments`); the library checks them against the count the backfill builds with
 * in any case (`onlySegments`).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the flag, the part at fault and what was expected: a part that is
 *   not a whole number or a range of them, a range that runs backwards, or a segment at or past `count`.
 * @example
 * ```ts
 * segmentList('0,5,7-9', 10); // [0, 5, 7, 8, 9]
 * segmentList('0-24', undefined); // [0, 1, …, 24]
 * ```
 */
export function segmentList(text: string | undefined, count: number | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const refuse = (why: string, details: Record<string, unknown> = {}): never => {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--only-segments '${shownText(text)}': ${why}. Write segment numbers from 0 and ranges, e.g. 0-24 or 0,5,7-9`,
      { details: { flag: '--only-segments', value: shownDetail(text), ...details } },
    );
  };
  const found = new Set<number>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (m === null)
      refuse(
        part === '' ? 'an empty part' : `'${shownText(part)}' is not a segment number or a range of them`,
      );
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (to < from) refuse(`the range '${part}' runs backwards: write ${to}-${from}`);
    const bound = count ?? MAX_SEGMENTS;
    if (to >= bound)
      refuse(
        count === undefined
          ? `segment ${to} is past the most segments a backfill has (${MAX_SEGMENTS.toLocaleString('en-US')})`
          : `segment ${to} is outside --segments ${count} (segments 0 to ${count - 1})`,
        { segments: count },
      );
    for (let s = from; s <= to; s++) found.add(s);
  }
  return [...found].sort((a, b) => a - b);
}
