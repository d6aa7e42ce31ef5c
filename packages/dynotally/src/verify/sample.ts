import { DynotallyError } from '../errors/index.ts';
import { fnv1a } from '../plan/leaderboard-key.ts';
import { shownDetail, shownText } from '../strings/shown-value.ts';

/**
 * True when a group belongs to a sample of `fraction` of all groups: a stable hash (FNV-1a) of the group's
 * encoded values, without the rollup or version prefix, so a sample picks the same groups every run and in
 * every version of a rollup.
 *
 * @example
 * ```ts
 * inSample('store.v2#ss-1', 0.01); // true for about 1 % of groups, always the same ones
 * ```
 */
export function inSample(pk: string, fraction: number): boolean {
  if (fraction >= 1) return true;
  const i = pk.indexOf('#');
  const groupKey = i === -1 ? pk : pk.slice(i + 1);
  return fnv1a(groupKey) < fraction * 4_294_967_296;
}

/**
 * A sample given as a fraction (0.01) or a percentage string (`1%`, `0.5%`), as a fraction in (0, 1]. A bare
 * number is a fraction (`1` is every group); the CLI's `--sample` requires the `%` sign instead.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for anything else (a bare number from 1 to 100 is told to add `%`).
 * @example
 * ```ts
 * parseSample('1%'); // 0.01
 * parseSample(0.25); // 0.25
 * ```
 */
export function parseSample(sample: string | number): number {
  const text = String(sample).trim();
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  const n = m === null ? Number.NaN : Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (m !== null && m[2] === '' && n > 1 && n <= 100)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `sample '${shownText(text)}' has no % sign, so it is read as a fraction of 1, and ${shownText(text)} is more than 1 (every group): write a percentage such as ${shownText(text)}%, or a fraction from 0 (exclusive) to 1`,
      { details: { sample: shownDetail(text) } },
    );
  if (!(n > 0 && n <= 1))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `sample '${shownText(text)}' is not a share of groups: write a percentage from 0 (exclusive) to 100%, e.g. 1% or 0.5%, or a fraction from 0 (exclusive) to 1`,
      { details: { sample: shownDetail(text) } },
    );
  return n;
}
