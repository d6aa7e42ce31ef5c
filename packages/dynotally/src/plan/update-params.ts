import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { lastTimeAttr } from '../fold/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import { addPlaceholders } from './add-placeholders.ts';
import { toAttributeValue } from './attribute-value.ts';
import { lastTie } from './last-tie.ts';
import { nowValue } from './now-value.ts';
import type { ExtremumWrite, RowWrite } from './row-write.ts';

/**
 * The per-row exactly-once guard: the row carries the last applied sequence number of each shard that
 * writes it; an update applies only if that watermark is below the first record contributing to it.
 *
 * @example
 * ```ts
 * const wm: RowWatermark = { attr: 'w_3f2a9c01d4e5', value: `${lastSeq}|1763800000`, first: firstSeq };
 * ```
 */
export interface RowWatermark {
  readonly attr: string;
  /**
   * The value set: a string (`<40-digit last sequence>|<approximate epoch seconds>`, the 0.2 form, comparable with
   * `first` as strings) or an attribute value (the compact number of `apply/shard-state.ts`).
   */
  readonly value: string | AttributeValue;
  /** The stored value must be below this (a string is `{ S }`). */
  readonly first: string | AttributeValue;
  /** A second attribute honoured the same way (the shard's state in its other encoding): missing or below `first`. */
  readonly also?: { readonly attr: string; readonly first: AttributeValue } | undefined;
  /** An attribute the write removes (`UpdateItem` only): the shard's state in its other encoding, now superseded. */
  readonly remove?: string | undefined;
  /**
   * States of finished shards (this shard's ancestors) the write removes unconditionally, on both write paths:
   * a finished shard's records are never delivered again, so nothing they guard can come back.
   */
  readonly drop?: readonly string[] | undefined;
  /** An attribute whose presence refuses the write (the row's exactly-once state moved elsewhere). */
  readonly refusedBy?: string | undefined;
}

/** A watermark value as an attribute value (strings are the 0.2 string form). */
export function watermarkAv(v: string | AttributeValue): AttributeValue {
  return typeof v === 'string' ? { S: v } : v;
}

/** Options for {@link rowUpdateParams}. */
export interface RowParamsOptions {
  now: number;
  watermark?: RowWatermark | undefined;
  /**
   * Watermark attributes of long-finished shards to drop while writing the row, each only if it still holds
   * the value seen (so a shard that wrote meanwhile keeps its watermark).
   */
  prune?: ReadonlyArray<{ readonly attr: string; readonly value: string | AttributeValue }> | undefined;
}

/**
 * The `UpdateItem` input for one row write: atomic `ADD` of every delta (never read-modify-write), with
 * deterministic placeholder names (`#a0`/`:v0` in attribute order) so plans print and compare.
 *
 * @example
 * ```ts
 * const input = rowUpdateParams('aggregates', plan.rows[0], { now: Date.now() });
 * await client.send(new UpdateItemCommand(input));
 * ```
 */
export function rowUpdateParams(
  table: string,
  w: RowWrite,
  options: RowParamsOptions,
): UpdateItemCommandInput {
  const { names, values } = addPlaceholders(w.adds, nowValue(options.now), w.ttl);
  const n = w.adds.length;
  const ttl = w.ttl !== undefined;
  const lb = w.leaderboard;
  if (lb !== undefined) {
    names['#lbk'] = 'lbk';
    names['#lbv'] = 'lbv';
    values[':lbk'] = { S: lb.key };
    values[':lbv'] = { N: toDynamoN(lb.delta) };
  }
  const input: UpdateItemCommandInput = {
    TableName: table,
    Key: { pk: { S: w.pk }, sk: { S: w.sk } },
    UpdateExpression: '',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  const wm = options.watermark;
  if (wm !== undefined) {
    names['#w'] = wm.attr;
    values[':w'] = watermarkAv(wm.value);
    values[':wf'] = watermarkAv(wm.first);
    input.ConditionExpression = 'attribute_not_exists(#w) OR #w < :wf';
    if (wm.also !== undefined) {
      names['#wl'] = wm.also.attr;
      values[':wl'] = wm.also.first;
      input.ConditionExpression = `(${input.ConditionExpression}) AND (attribute_not_exists(#wl) OR #wl < :wl)`;
    }
    if (wm.refusedBy !== undefined) {
      names['#wx'] = wm.refusedBy;
      input.ConditionExpression = `(${input.ConditionExpression}) AND attribute_not_exists(#wx)`;
    }
    input.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
  }
  let expr = rowExpression(n, ttl, lb !== undefined, wm !== undefined);
  const removes: string[] = [];
  if (wm?.remove !== undefined) {
    names['#wr'] = wm.remove;
    removes.push('#wr');
  }
  const prune = options.prune;
  const drop = wm?.drop;
  if (drop !== undefined && drop.length > 0) {
    // a path removed twice in one expression is rejected: the prune hints and the superseded encoding win
    const taken = new Set<string>([wm?.attr ?? '', wm?.remove ?? '']);
    for (const p of prune ?? []) taken.add(p.attr);
    let i = 0;
    for (const attr of drop) {
      if (taken.has(attr)) continue;
      taken.add(attr);
      names[`#d${i}`] = attr;
      removes.push(`#d${i++}`);
    }
  }
  if (prune !== undefined && prune.length > 0) {
    const same: string[] = [];
    prune.forEach((p, i) => {
      names[`#p${i}`] = p.attr;
      values[`:p${i}`] = watermarkAv(p.value);
      same.push(`#p${i} = :p${i}`);
      removes.push(`#p${i}`);
    });
    const guard = input.ConditionExpression;
    input.ConditionExpression =
      guard === undefined ? same.join(' AND ') : `(${guard}) AND ${same.join(' AND ')}`;
  }
  if (removes.length > 0) expr += ` REMOVE ${removes.join(', ')}`;
  input.UpdateExpression = expr;
  return input;
}

const expressions = new Map<number, string>();

/** The UpdateExpression of a row write: the same few shapes recur, so each is built once. */
function rowExpression(adds: number, ttl: boolean, lb: boolean, wm: boolean): string {
  const key = adds * 8 + (ttl ? 4 : 0) + (lb ? 2 : 0) + (wm ? 1 : 0);
  let expr = expressions.get(key);
  if (expr === undefined) {
    const set = ['#u = :u'];
    if (ttl) set.push('#ttl = :ttl');
    if (lb) set.push('#lbk = :lbk');
    if (wm) set.push('#w = :w');
    const add: string[] = [];
    for (let i = 0; i < adds; i++) add.push(`#a${i} :v${i}`);
    if (lb) add.push('#lbv :lbv');
    expr = `SET ${set.join(', ')}`;
    if (add.length > 0) expr += ` ADD ${add.join(', ')}`;
    expressions.set(key, expr);
  }
  return expr;
}

/**
 * The conditional `UpdateItem` for a min / max / last value. A failed condition means the stored value
 * already wins: the caller treats it as success.
 *
 * @example
 * ```ts
 * const input = extremumUpdateParams('aggregates', plan.extrema[0], { now: Date.now() });
 * ```
 */
export function extremumUpdateParams(
  table: string,
  e: ExtremumWrite,
  options: { now: number },
): UpdateItemCommandInput {
  const names: Record<string, string> = { '#a': e.attr, '#u': 'updatedAt' };
  const values: Record<string, AttributeValue> = {
    ':v': toAttributeValue(e.value),
    ':u': { N: String(options.now) },
  };
  const set = ['#a = :v', '#u = :u'];
  let condition: string;
  if (e.op === 'last') {
    names['#t'] = lastTimeAttr(e.attr);
    values[':t'] = { N: String(e.time) };
    set.push('#t = :t');
    // a tie of event times: the value that ranks higher wins, in the fold's order (last-tie.ts)
    const tie = lastTie(e.value);
    const wins: string[] = tie.typesBelow.map((type) => {
      values[`:ty${type}`] = { S: type };
      return `attribute_type(#a, :ty${type})`;
    });
    if (tie.comparable) wins.push('#a < :v');
    if (tie.beatsFalse) {
      values[':f'] = { BOOL: false };
      wins.push('#a = :f');
    }
    condition = 'attribute_not_exists(#t) OR #t < :t';
    if (wins.length > 0) condition += ` OR (#t = :t AND (${wins.join(' OR ')}))`;
  } else {
    condition = `attribute_not_exists(#a) OR #a ${e.op === 'min' ? '>' : '<'} :v`;
  }
  if (e.ttl !== undefined) {
    names['#ttl'] = 'ttl';
    values[':ttl'] = { N: String(e.ttl) };
    set.push('#ttl = :ttl');
  }
  return {
    TableName: table,
    Key: { pk: { S: e.pk }, sk: { S: e.sk } },
    UpdateExpression: `SET ${set.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
