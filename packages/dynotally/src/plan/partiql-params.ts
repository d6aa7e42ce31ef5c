import type { AttributeValue, BatchStatementRequest } from '@aws-sdk/client-dynamodb';
import { lastTimeAttr } from '../fold/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import { toAttributeValue } from './attribute-value.ts';
import { InsertTexts } from './insert-texts.ts';
import { lastTie } from './last-tie.ts';
import { nowValue } from './now-value.ts';
import { ids, ifNotExistsClauses, partiqlId, plusClauses } from './partiql-names.ts';
import type { ExtremumWrite, RowWrite } from './row-write.ts';
import { type RowWatermark, watermarkAv } from './update-params.ts';

/** A PartiQL identifier (the one place the extremum statements quote names). */
function id(name: string): string {
  return ids.get(name);
}

/** Options for {@link rowInsertStatement} and {@link rowUpdateStatement}. */
export interface RowStatementOptions {
  now: number;
  watermark?: RowWatermark | undefined;
}

/** Options for {@link rowInsertStatement}: of the watermark, only the state set is written. */
export interface RowInsertStatementOptions {
  now: number;
  watermark?: Pick<RowWatermark, 'attr' | 'value'> | undefined;
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
  options: RowInsertStatementOptions,
): BatchStatementRequest {
  const { adds, ttl, leaderboard: lb } = w;
  const wm = options.watermark;
  const params = new Array<AttributeValue>(
    3 + (ttl === undefined ? 0 : 1) + (lb === undefined ? 0 : 2) + (wm === undefined ? 0 : 1) + adds.length,
  );
  params[0] = { S: w.pk };
  params[1] = { S: w.sk };
  params[2] = nowValue(options.now);
  let i = 3;
  let text = insertTexts.root(table, ttl !== undefined, lb !== undefined);
  if (ttl !== undefined) params[i++] = { N: String(ttl) };
  if (lb !== undefined) {
    params[i++] = { S: lb.key };
    params[i++] = { N: toDynamoN(lb.delta) };
  }
  if (wm !== undefined) {
    text = insertTexts.field(text, wm.attr);
    params[i++] = watermarkAv(wm.value);
  }
  for (let k = 0; k < adds.length; k++) {
    const [attr, delta] = adds[k] as RowWrite['adds'][number];
    text = insertTexts.field(text, attr);
    params[i++] = { N: toDynamoN(delta) };
  }
  return { Statement: insertTexts.statement(text), Parameters: params };
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
 * s.Statement; // `UPDATE "aggregates" SET "updatedAt" = ? SET "w_…" = ? SET "count" = "count" + ? WHERE "pk" = ? AND "sk" = ? AND ("w_…" IS MISSING OR "w_…" < ?)`
 * ```
 */
export function rowUpdateStatement(
  table: string,
  w: RowWrite,
  options: RowUpdateStatementOptions,
): BatchStatementRequest {
  const { adds, ttl, leaderboard: lb } = w;
  const wm = options.watermark;
  const absent = options.absent;
  const adding = (attr: string): string =>
    absent === 'all' || absent?.has(attr) === true ? ifNotExistsClauses.get(attr) : plusClauses.get(attr);
  const params = new Array<AttributeValue>(
    3 +
      (ttl === undefined ? 0 : 1) +
      (lb === undefined ? 0 : 2) +
      adds.length +
      (wm === undefined ? 0 : wm.also === undefined ? 2 : 3),
  );
  params[0] = nowValue(options.now);
  let i = 1;
  let text = updateHead(table);
  if (ttl !== undefined) {
    text += ' SET "ttl" = ?';
    params[i++] = { N: String(ttl) };
  }
  if (lb !== undefined) {
    text += ` SET "lbk" = ?${adding('lbv')}`;
    params[i++] = { S: lb.key };
    params[i++] = { N: toDynamoN(lb.delta) };
  }
  if (wm !== undefined) {
    text += ` SET ${ids.get(wm.attr)} = ?`;
    params[i++] = watermarkAv(wm.value);
  }
  for (let k = 0; k < adds.length; k++) {
    const [attr, delta] = adds[k] as RowWrite['adds'][number];
    text += adding(attr);
    params[i++] = { N: toDynamoN(delta) };
  }
  params[i++] = { S: w.pk };
  params[i++] = { S: w.sk };
  const out: BatchStatementRequest = { Statement: '', Parameters: params };
  // finished shards' states, removed unconditionally (never this shard's own state); one path per REMOVE
  // clause, as the service documents it (`[SET | REMOVE] path [= data] […]`): DynamoDB Local refuses a list
  // (`REMOVE "a", "b"`) as malformed
  const drop = wm?.drop;
  if (drop !== undefined && drop.length > 0) {
    for (let j = 0; j < drop.length; j++) {
      const a = drop[j] as string;
      if (a !== wm?.attr && drop.indexOf(a) === j) text += ` REMOVE ${id(a)}`;
    }
  }
  text += ' WHERE "pk" = ? AND "sk" = ?';
  if (wm !== undefined) {
    text += watermarkCondition(wm);
    params[i++] = watermarkAv(wm.first);
    // the shard's state in its other encoding (a row written by 0.2) is honoured; PartiQL leaves it in place
    if (wm.also !== undefined) params[i++] = wm.also.first;
    out.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
  }
  out.Statement = text;
  return out;
}

let headTable: string | undefined;
let updateHeadText = '';

/** The texts of the row `INSERT`s met so far. */
const insertTexts = new InsertTexts();

/** The opening of a row's `UPDATE` on a table (every statement of a batch goes to one table). */
function updateHead(table: string): string {
  if (table !== headTable) heads(table);
  return updateHeadText;
}

function heads(table: string): void {
  headTable = table;
  updateHeadText = `UPDATE ${partiqlId(table)} SET "updatedAt" = ?`;
}

let conditionOf: RowWatermark | undefined;
let conditionText = '';

/** ` AND ("w" IS MISSING OR "w" < ?)…`: the same for every row of a shard's batch (remembered for the last). */
function watermarkCondition(wm: RowWatermark): string {
  const last = conditionOf;
  if (
    last === undefined ||
    last.attr !== wm.attr ||
    last.also?.attr !== wm.also?.attr ||
    last.refusedBy !== wm.refusedBy
  ) {
    let text = ` AND (${ids.get(wm.attr)} IS MISSING OR ${ids.get(wm.attr)} < ?)`;
    if (wm.also !== undefined)
      text += ` AND (${ids.get(wm.also.attr)} IS MISSING OR ${ids.get(wm.also.attr)} < ?)`;
    if (wm.refusedBy !== undefined) text += ` AND ${ids.get(wm.refusedBy)} IS MISSING`;
    conditionOf = wm;
    conditionText = text;
  }
  return conditionText;
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
 * s.Statement; // `UPDATE "aggregates" SET "peak" = ? SET "updatedAt" = ? WHERE "pk" = ? AND "sk" = ? AND ("peak" IS MISSING OR "peak" < ?)`
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
    // a tie of event times: the value that ranks higher wins, in the fold's order (last-tie.ts)
    const tie = lastTie(e.value);
    const wins = tie.typesBelow.map((type) => `attribute_type(${a}, '${type}')`);
    const tieParams: AttributeValue[] = [];
    if (tie.comparable) {
      wins.push(`${a} < ?`);
      tieParams.push(value);
    }
    if (tie.beatsFalse) wins.push(`${a} = false`);
    condition = `(${t} IS MISSING OR ${t} < ?`;
    where.push(time);
    if (wins.length > 0) {
      condition += ` OR (${t} = ? AND (${wins.join(' OR ')}))`;
      where.push(time, ...tieParams);
    }
    condition += ')';
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
    Statement: `UPDATE ${id(table)} SET ${set.join(' SET ')} WHERE "pk" = ? AND "sk" = ? AND ${condition}`,
    Parameters: params,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
