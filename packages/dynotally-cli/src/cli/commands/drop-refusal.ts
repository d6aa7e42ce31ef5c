import { DynotallyError, type dropDeadLetters } from 'dynotally';

/** What `dropDeadLetters` did with one id. */
type DropOutcome = Awaited<ReturnType<typeof dropDeadLetters>>[number]['outcome'];

/**
 * The error `dynotally dead-letters drop` ends with when some ids were not dropped: each outcome with its own way
 * on (an id not found: check it and the table; a half-replayed letter: replay it to finish it, or `--force`).
 * `DEAD_LETTER_NOT_REPLAYABLE` when a letter is half-replayed, else `DEAD_LETTER_NOT_FOUND`.
 *
 * @example
 * ```ts
 * dropRefusal([{ id: '0123456789abcdef', outcome: 'not-found' }], 'dynotally-dead-letters').code;
 * // 'DEAD_LETTER_NOT_FOUND'
 * ```
 */
export function dropRefusal(
  missing: ReadonlyArray<{ id: string; outcome: DropOutcome }>,
  table: string,
): DynotallyError {
  const ids = (outcome: DropOutcome) => missing.filter((r) => r.outcome === outcome).map((r) => r.id);
  const gone = ids('not-found');
  const half = ids('half-replayed');
  const parts: string[] = [];
  if (gone.length > 0)
    parts.push(
      `${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} not in ${table} (dropped already, or another id or table: see dynotally dead-letters list --all, and --dead-letter-table)`,
    );
  if (half.length > 0)
    parts.push(
      `${half.join(', ')} ${half.length === 1 ? 'is' : 'are'} half-replayed: replay ${half.length === 1 ? 'it' : 'them'} to finish (dynotally dead-letters replay ${half.join(' ')}), or drop with --force`,
    );
  return new DynotallyError(
    half.length > 0 ? 'DEAD_LETTER_NOT_REPLAYABLE' : 'DEAD_LETTER_NOT_FOUND',
    `not dropped: ${parts.join('; ')}`,
    { details: { ids: missing.map((r) => r.id) } },
  );
}
