import { DynotallyError, parseSample } from 'dynotally';

/**
 * `verify --sample`: a percentage with its `%` sign (`1%`, `0.5%`, `100%`), as a fraction in (0, 1]. The library's
 * `parseSample` also reads a bare number as a fraction of 1 (for API callers), but on a command line `--sample 1`
 * reads as 1% and would check every group, so the CLI refuses a share without its `%`.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a share without `%` (saying so), or one out of range.
 * @example
 * ```ts
 * parseSampleFlag('1%'); // 0.01
 * parseSampleFlag('1'); // throws CONFIG_INVALID: --sample '1' needs a % sign
 * ```
 */
export function parseSampleFlag(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--sample '${trimmed}' needs a % sign: write a percentage such as ${trimmed}% (100% checks every group)`,
      { details: { sample: trimmed } },
    );
  try {
    return parseSample(trimmed);
  } catch (e) {
    if (e instanceof DynotallyError)
      throw new DynotallyError('CONFIG_INVALID', `--sample: ${e.message}`, { details: { sample: trimmed } });
    throw e;
  }
}
