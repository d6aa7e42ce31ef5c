import { rowBytesBound } from '../apply/transaction-bytes.ts';
import { DEFAULT_STATE_BUDGET_BYTES } from '../apply/transactional-rows.ts';
import { utf8Length } from '../cost/item-size.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { KEY_SEP } from '../layout/group-key.ts';
import type { DeadLetterDelta } from './dead-letter.ts';

/** Bytes a counter the update adds may take: a 38-digit number under its name (`rowSizeBound`'s rule). */
const NUMBER_BYTES = 21;
/** The keys' type bytes, `updatedAt`, `ttl` and anything small an update sets beside the counters. */
const FIXED_BYTES = 64;

/**
 * The bytes a row update of a letter's `deltas` (the Redis flusher's, or written by hand) counts for in the replay's
 * byte cut: the most a row of its rollup can hold (the largest `rowBytesBound` of its row kinds, with the default
 * state budget, as a folded row counts) plus what the update itself carries (its keys, counters and leaderboard
 * delta: a hand-written row may add attributes its rollup never writes), when `rollups` holds the rollup its
 * partition key names (also under a version's key prefix, `<name>.v<n>`); else 400 KB, the most any item holds (the
 * stored row is not read, and AWS does not document whether an `Update` counts the stored item). At most 400 KB.
 *
 * @example
 * ```ts
 * deltaRowBytes({ pk: 'jobs#sc-1', sk: 'D2026-11-22', adds: [['n', '3']] }, new Map([['jobs', jobs.compiled]])); // a few KB
 * deltaRowBytes({ pk: 'other#sx', sk: 'ALL', adds: [['n', '1']] }, new Map()); // 409_600
 * ```
 */
export function deltaRowBytes(row: DeadLetterDelta, rollups: ReadonlyMap<string, CompiledRollup>): number {
  const rollup = rollupOf(row.pk, rollups);
  if (rollup === undefined) return DYNAMO_LIMITS.itemBytes;
  const bound = widestRowBytes(rollup);
  let carried = FIXED_BYTES + utf8Length(row.pk) + utf8Length(row.sk);
  for (const [name] of row.adds) carried += utf8Length(name) + NUMBER_BYTES;
  if (row.leaderboard !== undefined) carried += utf8Length(row.leaderboard.key) + 2 * NUMBER_BYTES;
  return Math.min(DYNAMO_LIMITS.itemBytes, bound + carried);
}

/**
 * The rollups a replay is given, by name, for {@link deltaRowBytes}: a name given by several definitions (the
 * versions of a rollup, as a configuration lists them while one is built) keeps the one whose rows can hold the
 * most, since a letter's row names its rollup and version but not which definition wrote it, and sizing the rows of
 * a wide version by a narrow one's bound would cut a transaction past the 4 MB DynamoDB takes.
 *
 * @example
 * ```ts
 * deltaRollupsByName([storeV1.compiled, storeV2.compiled]).get('store'); // the wider of the two
 * ```
 */
export function deltaRollupsByName(rollups: readonly CompiledRollup[]): ReadonlyMap<string, CompiledRollup> {
  const out = new Map<string, CompiledRollup>();
  for (const r of rollups) {
    const seen = out.get(r.name);
    if (seen === undefined || widestRowBytes(r) > widestRowBytes(seen)) out.set(r.name, r);
  }
  return out;
}

/** The most a row of any of the rollup's kinds can hold, with the default state budget. */
function widestRowBytes(rollup: CompiledRollup): number {
  let bound = 0;
  for (const kind of rollup.rows)
    bound = Math.max(bound, rowBytesBound(rollup, kind, DEFAULT_STATE_BUDGET_BYTES));
  return bound;
}

/** The rollup a partition key names, by its own name or its version's key prefix (`<name>.v<n>`). */
function rollupOf(pk: string, rollups: ReadonlyMap<string, CompiledRollup>): CompiledRollup | undefined {
  // the name only (a hand-written key's group values need not decode)
  const name = pk.slice(0, pk.includes(KEY_SEP) ? pk.indexOf(KEY_SEP) : pk.length);
  const exact = rollups.get(name);
  if (exact !== undefined) return exact;
  const version = /^(.+)\.v[0-9]+$/.exec(name);
  return version === null ? undefined : rollups.get(version[1] as string);
}
