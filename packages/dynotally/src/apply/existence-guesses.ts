import type { RowWrite } from '../plan/index.ts';

/** Outcomes at which a kind's tallies are halved, so a guess follows a change of workload. */
const WINDOW = 64;
/** Outcomes of a kind before it may be found unsure. */
const UNSURE_AFTER = 8;
/** A kind is unsure while the rarer outcome is at least this share: a guess would be wrong that often. */
const UNSURE_SHARE = 0.25;
/** An unsure kind's rows are still sent by the likelier guess one in this many, to keep learning. */
const PROBE_EVERY = 8;

/**
 * How to send a row the applier does not know: `insert`, `update` (with `if_not_exists` on every attribute), or
 * `item` (an `UpdateItem`, which upserts: never refused for existing or not, at one request a row).
 */
export type UnknownRowWrite = 'insert' | 'update' | 'item';
/** Kinds remembered before the memory starts again (kinds are few: rollups × row kinds × versions). */
const LIMIT = 1_000;

interface Tally {
  existed: number;
  created: number;
  /** Rows of an unsure kind sent so far (every {@link PROBE_EVERY}th is sent by the guess). */
  unsure: number;
}

/**
 * Whether a row the applier does not know (never written or seen by this process) is likely stored already,
 * and so how to send it ({@link ExistenceGuesses.write}), learnt per row kind (a rollup's hour, month or all-time rows) from how such guesses turned out. PartiQL has
 * no upsert: an `INSERT` of a stored row fails (`DuplicateItem`) and an `UPDATE` of a missing one fails its key
 * condition, and either failure costs a write unit and a second statement. A single shard on a new table
 * creates most rows it does not know (guess: insert); a Lambda container after a cold start, or one of many
 * shards writing the same hot rows, finds most of them stored (guess: update). A wrong guess costs that unit,
 * never a count: the store checks every statement.
 *
 * @example
 * ```ts
 * const guesses = new ExistenceGuesses();
 * guesses.write(row); // 'insert': nothing learnt yet
 * guesses.saw(row, true); // the INSERT failed with DuplicateItem
 * guesses.write(row); // 'update': the next unknown row of its kind is sent as an UPDATE
 * ```
 */
export class ExistenceGuesses {
  private readonly byKind = new Map<string, Tally>();

  /**
   * How to send an unknown row of this kind: by the likelier outcome (ties: `insert`, as before anything is
   * learnt), or, when the kind is unsure (after
   * {@link UNSURE_AFTER} outcomes the rarer one is still a quarter or more), as an `UpdateItem`: a write unit is
   * worth more than the request saved (at on-demand prices a unit costs about what 25 ms of a 1 GB Lambda does,
   * and a request takes about 1 ms of client CPU). One unsure row in {@link PROBE_EVERY} is still sent by the
   * guess, so the tallies follow the workload.
   */
  write(row: Pick<RowWrite, 'rollup' | 'sk'>): UnknownRowWrite {
    const t = this.byKind.get(kindOf(row));
    if (t === undefined) return 'insert';
    const guess = t.existed > t.created ? 'update' : 'insert';
    const n = t.existed + t.created;
    if (n < UNSURE_AFTER || Math.min(t.existed, t.created) < UNSURE_SHARE * n) return guess;
    return t.unsure++ % PROBE_EVERY === 0 ? guess : 'item';
  }

  /** Records how a guess for an unknown row turned out: the row was stored already (`existed`) or not. */
  saw(row: Pick<RowWrite, 'rollup' | 'sk'>, existed: boolean): void {
    const key = kindOf(row);
    let t = this.byKind.get(key);
    if (t === undefined) {
      if (this.byKind.size >= LIMIT) this.byKind.clear();
      t = { existed: 0, created: 0, unsure: 0 };
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
