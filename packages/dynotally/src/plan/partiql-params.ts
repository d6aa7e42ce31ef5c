import type { AttributeValue, BatchStatementRequest } from '@aws-sdk/client-dynamodb';
import { lastTimeAttr } from '../fold/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import { toAttributeValue } from './attribute-value.ts';
import type { ExtremumWrite, RowWrite } from './row-write.ts';
import { type RowWatermark, watermarkAv } from './update-params.ts';

/** A PartiQL identifier: double-quoted, inner quotes doubled. */
function id(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A PartiQL tuple key: single-quoted, inner quotes doubled. */
function key(name: string): string {
  return `'${name.replaceAll("'", "''")}'`;
}

/** Options for {@link rowInsertStatement} and {@link rowUpdateStatement}. */
export interface RowStatementOptions {
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
 * const s = rowInsertStatement('aggregates', plan.rows[0], { now: Date.now() });
 * s.Statement; // `INSERT INTO "aggregates" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'count': ?}`
 * ```
 */
export function rowInsertStatement(
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
export interface RowUpdateStatementOptions extends RowStatementOptions {
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
 * const s = rowUpdateStatement('aggregates', plan.rows[0], { now: Date.now(), watermark });
 * s.Statement; // `UPDATE "aggregates" SET "updatedAt" = ?, "w_…" = ?, "count" = "count" + ? WHERE "pk" = ? AND "sk" = ? AND ("w_…" IS MISSING OR "w_…" < ?)`
 * ```
 */
export function rowUpdateStatement(
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
  const remove = drop.length === 0 ? '' : ` REMOVE ${drop.map(id).join(', ')}`;
  out.Statement = `UPDATE ${id(table)} SET ${set.join(', ')}${remove} WHERE ${where}`;
  return out;
}

/**
 * The PartiQL `UPDATE` of a min / max / last value, conditioned exactly like {@link extremumUpdateParams}
 * (a failed condition means the stored value already wins). There is no upsert: on a missing row the
 * statement fails without an old item, and the caller writes it another way. The old item is asked for on
 * failure, so a failed condition on an existing row is told apart from a missing row.
 *
 * @example
 * ```ts
 * const s = extremumUpdateStatement('aggregates', plan.extrema[0], { now: Date.now() });
 * s.Statement; // `UPDATE "aggregates" SET "peak" = ?, "updatedAt" = ? WHERE "pk" = ? AND "sk" = ? AND ("peak" IS MISSING OR "peak" < ?)`
 * ```
 */
export function extremumUpdateStatement(
  table: string,
  e: ExtremumWrite,
  options: { now: number },
): BatchStatementRequest {
  const a = id(e.attr);
  const value = toAttributeValue(e.value);
  const set = [`${a} = ?`, '"updatedAt" = ?'];
  const params: AttributeValue[] = [value, { N: String(options.now) }];
  let condition: string;
  const where: AttributeValue[] = [];
  if (e.op === 'last') {
    const t = id(lastTimeAttr(e.attr));
    set.push(`${t} = ?`);
    const time: AttributeValue = { N: String(e.time) };
    params.push(time);
    if (typeof e.value === 'boolean') {
      condition = `(${t} IS MISSING OR ${t} < ?)`;
      where.push(time);
    } else {
      condition = `(${t} IS MISSING OR ${t} < ? OR (${t} = ? AND ${a} < ?))`;
      where.push(time, time, value);
    }
  } else {
    condition = `(${a} IS MISSING OR ${a} ${e.op === 'min' ? '>' : '<'} ?)`;
    where.push(value);
  }
  if (e.ttl !== undefined) {
    set.push('"ttl" = ?');
    params.push({ N: String(e.ttl) });
  }
  params.push({ S: e.pk }, { S: e.sk }, ...where);
  return {
    Statement: `UPDATE ${id(table)} SET ${set.join(', ')} WHERE "pk" = ? AND "sk" = ? AND ${condition}`,
    Parameters: params,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
