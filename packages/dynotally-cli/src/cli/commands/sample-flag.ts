import { DynotallyError, parseSample } from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';

/**
 * `verify --sample`: a percentage with its `%` sign (`1%`, `0.5%`, `100%`), as a fraction in (0, 1]. The library's
 * `parseSample` also reads a bare number as a fraction of 1 (for API callers), but on a command line `--sample 1`
 * reads as 1% and would check every group, so the CLI refuses a share without its `%`.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a share without `%` (saying so), or one out of range (saying what
 *   the flag takes: a percentage, not the library's bare fraction).
 * @example
 * ```ts
 * parseSampleFlag('1%'); // 0.01
 * parseSampleFlag('1'); // throws CONFIG_INVALID: --sample '1' needs a % sign
 * ```
 */
export function parseSampleFlag(text: string): number {
  const trimmed = text.trim();
  const range = 'write a percentage from 0 (exclusive) to 100%, e.g. 1% or 0.5% (100% checks every group)';
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    throw new DynotallyError(
      'CONFIG_INVALID',
      // suggest `N%` only where it would be taken: `--sample 150` told "such as 150%" was refused again
      `--sample '${shownText(trimmed)}' needs a % sign: ${n > 0 && n <= 100 ? `write a percentage such as ${trimmed}% (100% checks every group)` : range}`,
      { details: { sample: shownDetail(trimmed) } },
    );
  }
  try {
    return parseSample(trimmed);
  } catch (e) {
    // the library's message also offers a bare fraction (0.5), which this flag refuses above: say what it takes
    if (e instanceof DynotallyError)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `--sample '${shownText(trimmed)}' is not a share of groups: ${range}`,
        {
          details: { sample: shownDetail(trimmed) },
        },
      );
    throw e;
  }
}
