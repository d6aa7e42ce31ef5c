// The PartiQL row statements as first written (arrays of fields joined, every identifier quoted on each use): the
// reference the library's faster builders (packages/dynotally/src/plan/partiql-params.ts) must equal byte for byte.
import type { AttributeValue, BatchStatementRequest } from '@aws-sdk/client-dynamodb';
import { toDynamoN } from '../../packages/dynotally/src/numbers/index.ts';
import type { RowWrite } from '../../packages/dynotally/src/plan/row-write.ts';
import { type RowWatermark, watermarkAv } from '../../packages/dynotally/src/plan/update-params.ts';

/** A PartiQL identifier: double-quoted, inner quotes doubled. */
function id(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A PartiQL tuple key: single-quoted, inner quotes doubled. */
function key(name: string): string {
  return `'${name.replaceAll("'", "''")}'`;
}

/** Options for {@link rowInsertStatement} and {@link rowUpdateStatement}. */
interface RowStatementOptions {
  now: number;
  watermark?: RowWatermark | undefined;
}

/**
 * The PartiQL `INSERT` of a row predicted new: every delta is the row's first value, and the shard's watermark
 * is written with it. An `INSERT` only succeeds when no item has the key (`DuplicateItem` otherwise), so a
 * successful one cannot double count: no earlier delivery reached this row.
 *
 * @example
 * ```ts
 * const s = referenceInsertStatement('aggregates', plan.rows[0], { now: Date.now() });
 * s.Statement; // `INSERT INTO "aggregates" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'count': ?}`
 * ```
 */
export function referenceInsertStatement(
  table: string,
  w: RowWrite,
  options: RowStatementOptions,
): BatchStatementRequest {
  const fields = ["'pk': ?", "'sk': ?", "'updatedAt': ?"];
  const params: AttributeValue[] = [{ S: w.pk }, { S: w.sk }, { N: String(options.now) }];
  if (w.ttl !== undefined) {
    fields.push("'ttl': ?");
    params.push({ N: String(w.ttl) });
  }
  if (w.leaderboard !== undefined) {
    fields.push("'lbk': ?", "'lbv': ?");
    params.push({ S: w.leaderboard.key }, { N: toDynamoN(w.leaderboard.delta) });
  }
  const wm = options.watermark;
  if (wm !== undefined) {
    fields.push(`${key(wm.attr)}: ?`);
    params.push(watermarkAv(wm.value));
  }
  for (const [attr, delta] of w.adds) {
    fields.push(`${key(attr)}: ?`);
    params.push({ N: toDynamoN(delta) });
  }
  return { Statement: `INSERT INTO ${id(table)} VALUE {${fields.join(', ')}}`, Parameters: params };
}

/** Options for {@link rowUpdateStatement}. */
interface RowUpdateStatementOptions extends RowStatementOptions {
  /**
   * Attributes the stored row may lack: added as `if_not_exists(a, 0) + ?` (DynamoDB Local accepts it; the
   * service does not document it for PartiQL, so a rejection must be detected by the caller). Every other
   * attribute is added as `a = a + ?`, which fails when the row lacks it.
   */
  absent?: ReadonlySet<string> | 'all' | undefined;
}

/**
 * The PartiQL `UPDATE` of a row that exists: `SET a = a + ?` for each delta (no upsert: a missing row fails
 * its key condition), the watermark moved, and in exactly-once mode conditioned like
 * {@link rowUpdateParams}: `("w" IS MISSING OR "w" < first)`, with the old item returned on failure.
 *
 * @example
 * ```ts
 * const s = referenceUpdateStatement('aggregates', plan.rows[0], { now: Date.now(), watermark });
 * s.Statement; // `UPDATE "aggregates" SET "updatedAt" = ? SET "w_…" = ? SET "count" = "count" + ? WHERE "pk" = ? AND "sk" = ? AND ("w_…" IS MISSING OR "w_…" < ?)`
 * ```
 */
export function referenceUpdateStatement(
  table: string,
  w: RowWrite,
  options: RowUpdateStatementOptions,
): BatchStatementRequest {
  const absent = options.absent;
  const adding = (attr: string): string =>
    absent === 'all' || absent?.has(attr) === true
      ? `${id(attr)} = if_not_exists(${id(attr)}, 0) + ?`
      : `${id(attr)} = ${id(attr)} + ?`;
  const set = ['"updatedAt" = ?'];
  const params: AttributeValue[] = [{ N: String(options.now) }];
  if (w.ttl !== undefined) {
    set.push('"ttl" = ?');
    params.push({ N: String(w.ttl) });
  }
  if (w.leaderboard !== undefined) {
    set.push('"lbk" = ?', adding('lbv'));
    params.push({ S: w.leaderboard.key }, { N: toDynamoN(w.leaderboard.delta) });
  }
  const wm = options.watermark;
  if (wm !== undefined) {
    set.push(`${id(wm.attr)} = ?`);
    params.push(watermarkAv(wm.value));
  }
  for (const [attr, delta] of w.adds) {
    set.push(adding(attr));
    params.push({ N: toDynamoN(delta) });
  }
  let where = '"pk" = ? AND "sk" = ?';
  params.push({ S: w.pk }, { S: w.sk });
  const out: BatchStatementRequest = { Statement: '', Parameters: params };
  if (wm !== undefined) {
    where += ` AND (${id(wm.attr)} IS MISSING OR ${id(wm.attr)} < ?)`;
    params.push(watermarkAv(wm.first));
    if (wm.also !== undefined) {
      // the shard's state in its other encoding (a row written by 0.2) is honoured; PartiQL leaves it in place
      where += ` AND (${id(wm.also.attr)} IS MISSING OR ${id(wm.also.attr)} < ?)`;
      params.push(wm.also.first);
    }
    if (wm.refusedBy !== undefined) where += ` AND ${id(wm.refusedBy)} IS MISSING`;
    out.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
  }
  // finished shards' states, removed unconditionally (never this shard's own state)
  const drop = (wm?.drop ?? []).filter((a, i, all) => a !== wm?.attr && all.indexOf(a) === i);
  const remove = drop.map((a) => ` REMOVE ${id(a)}`).join(''); // one path per clause, as documented
  out.Statement = `UPDATE ${id(table)} SET ${set.join(' SET ')}${remove} WHERE ${where}`; // one SET per path, as documented
  return out;
}
