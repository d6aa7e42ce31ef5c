import type { DynamoDBRecord } from 'aws-lambda';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { foldBatch, type PoisonRecord } from '../fold/index.ts';

/**
 * One rollup version a write side writes, and whether its refusal of a record is the record's refusal everywhere:
 * `primary` for the serving version (or every written version of a rollup none of whose written versions serves).
 */
export interface WrittenVersion {
  readonly compiled: CompiledRollup;
  readonly primary: boolean;
}

/**
 * The poison records of a batch, told apart by which versions refuse them ({@link splitPoison}).
 */
export interface VersionPoison {
  /** Refused by a primary version (or by the decode): poison for every version, as a plain applier's poison. */
  readonly whole: readonly PoisonRecord[];
  /** Per version (its key prefix, the compiled name) that is not primary, the batch indexes it alone refuses. */
  readonly refusedBy: ReadonlyMap<string, ReadonlySet<number>>;
  /**
   * One letter per record refused only by versions that do not serve: the others count it, so it lists no pending
   * rows (`pendingRows: []`), and a replay adds it nowhere (while a refusing version is written it is still poison).
   */
  readonly letters: readonly PoisonRecord[];
}

/**
 * Which versions refuse each poison record of a batch. A version's row keys carry its prefix (`store.v2#…`), and a
 * version being built may hold a changed definition (another `groupBy`, measure, filter or time attribute), so a
 * record can fold for the serving version and not for another: a group key of 2,046 bytes fits version 1's 2,048
 * and not `store.v2#…`. Such a record is counted by every version that folds it and dead-lettered for the others
 * only, as a backfill dead-letters a scanned item for the version it builds: a version that does not serve yet
 * never costs the serving one a record. A record a primary version refuses stays poison for every version
 * (all-or-nothing, as with rollups without versions). Pure.
 *
 * @example
 * ```ts
 * const split = splitPoison([{ compiled: v1, primary: true }, { compiled: v2, primary: false }], records, 'shard-1');
 * split.refusedBy.get('store.v2'); // Set { 3 }: the record at index 3 counts in version 1 only
 * ```
 */
export function splitPoison(
  versions: readonly WrittenVersion[],
  records: readonly DynamoDBRecord[],
  shardId: string | undefined,
): VersionPoison {
  const found = foldBatch(
    versions.map((v) => v.compiled),
    records,
    { shardId },
  ).poison;
  const whole: PoisonRecord[] = [];
  const refusedBy = new Map<string, Set<number>>();
  const letters: PoisonRecord[] = [];
  for (const p of found) {
    const refusals = versions
      .map((v) => ({ v, poison: foldBatch([v.compiled], [p.record], { shardId }).poison[0] }))
      .filter((r) => r.poison !== undefined);
    const first = refusals[0]?.poison;
    if (first === undefined || refusals.some((r) => r.v.primary)) {
      whole.push(p);
      continue;
    }
    const names = refusals.map((r) => r.v.compiled.name);
    for (const name of names) {
      const set = refusedBy.get(name) ?? new Set<number>();
      set.add(p.index);
      refusedBy.set(name, set);
    }
    letters.push({ ...p, error: versionOnly(first.error, names), pendingRows: [] });
  }
  return { whole, refusedBy, letters };
}

/** The refusal of versions that do not serve, saying the others counted the record. */
function versionOnly(error: DynotallyError, names: readonly string[]): DynotallyError {
  const list = names.map((n) => `'${n}'`).join(', ');
  return new DynotallyError(
    error.code,
    `${error.message} — refused by rollup version ${list} only, which does not serve: the versions that fold it counted it, and it is left out of ${list}; a replay adds it nowhere (still poison while ${list} is written: fix the definition in a new version, or drop the letter)`,
    { details: { ...error.details, versions: names }, cause: error },
  );
}
