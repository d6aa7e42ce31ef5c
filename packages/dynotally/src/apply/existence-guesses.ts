import type { RowWrite } from '../plan/index.ts';

/** Outcomes at which a kind's tallies are halved, so a guess follows a change of workload. */
const WINDOW = 64;
/** Kinds remembered before the memory starts again (kinds are few: rollups × row kinds × versions). */
const LIMIT = 1_000;

interface Tally {
  existed: number;
  created: number;
}

/**
 * Whether a row the applier does not know (never written or seen by this process) is likely stored already,
 * learnt per row kind (a rollup's hour, month or all-time rows) from how such guesses turned out. PartiQL has
 * no upsert: an `INSERT` of a stored row fails (`DuplicateItem`) and an `UPDATE` of a missing one fails its key
 * condition, and either failure costs a write unit and a second statement. A single shard on a new table
 * creates most rows it does not know (guess: insert); a Lambda container after a cold start, or one of many
 * shards writing the same hot rows, finds most of them stored (guess: update). A wrong guess costs that unit,
 * never a count: the store checks every statement.
 *
 * @example
 * ```ts
 * const guesses = new ExistenceGuesses();
 * guesses.exists(row); // false: nothing learnt yet, so an INSERT is tried
 * guesses.saw(row, true); // the INSERT failed with DuplicateItem
 * guesses.exists(row); // true: the next unknown row of its kind is sent as an UPDATE
 * ```
 */
export class ExistenceGuesses {
  private readonly byKind = new Map<string, Tally>();

  /** True when unknown rows of the row's kind more often existed than not (ties: not, as before anything is learnt). */
  exists(row: Pick<RowWrite, 'rollup' | 'sk'>): boolean {
    const t = this.byKind.get(kindOf(row));
    return t !== undefined && t.existed > t.created;
  }

  /** Records how a guess for an unknown row turned out: the row was stored already (`existed`) or not. */
  saw(row: Pick<RowWrite, 'rollup' | 'sk'>, existed: boolean): void {
    const key = kindOf(row);
    let t = this.byKind.get(key);
    if (t === undefined) {
      if (this.byKind.size >= LIMIT) this.byKind.clear();
      t = { existed: 0, created: 0 };
      this.byKind.set(key, t);
    }
    if (existed) t.existed++;
    else t.created++;
    if (t.existed + t.created >= WINDOW) {
      t.existed /= 2;
      t.created /= 2;
    }
  }
}

/**
 * A row's kind: its rollup and its sort key without digits (`H2026-11-22T13` → `H--T`, `ALL` → `ALL`), so the
 * hour rows of a rollup share one kind, apart from its month rows and from another version's rows.
 */
function kindOf(row: Pick<RowWrite, 'rollup' | 'sk'>): string {
  return `${row.rollup}\u0000${row.sk.replace(/[0-9]+/g, '')}`;
}
