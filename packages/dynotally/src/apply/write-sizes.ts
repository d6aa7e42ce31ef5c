import { attributeValueSize, numberSize, utf8Length } from '../cost/item-size.ts';
import { lastTimeAttr } from '../fold/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import {
  type ExtremumWrite,
  type RowWatermark,
  type RowWrite,
  toAttributeValue,
  watermarkAv,
} from '../plan/index.ts';
import type { AttrWrite } from './known-rows.ts';

/**
 * The attributes a row write puts in its row, sized by DynamoDB's rules, as the PartiQL `INSERT` and `UPDATE` of
 * the row write them: keys, `updatedAt`, `ttl`, the leaderboard entry, the shard's state and the deltas (added).
 *
 * @example
 * ```ts
 * known.wrote(rowKeyOf(row), rowAttrWrites(row, watermark, now)); // { before, after }: the row's estimated sizes
 * ```
 */
export function rowAttrWrites(row: RowWrite, wm: RowWatermark | undefined, now: number): AttrWrite[] {
  const out: AttrWrite[] = [
    { name: 'pk', bytes: utf8Length(row.pk), fixed: true },
    { name: 'sk', bytes: utf8Length(row.sk), fixed: true },
    { name: 'updatedAt', bytes: numberSize(String(now)), fixed: true },
  ];
  if (row.ttl !== undefined) out.push({ name: 'ttl', bytes: numberSize(String(row.ttl)), fixed: true });
  if (row.leaderboard !== undefined) {
    out.push({ name: 'lbk', bytes: utf8Length(row.leaderboard.key) });
    out.push({ name: 'lbv', bytes: numberSize(toDynamoN(row.leaderboard.delta)), add: true });
  }
  if (wm !== undefined) out.push({ name: wm.attr, bytes: attributeValueSize(watermarkAv(wm.value)) });
  for (const [attr, delta] of row.adds)
    out.push({ name: attr, bytes: numberSize(toDynamoN(delta)), add: true });
  return out;
}

/**
 * The attributes a min / max / last write sets when it wins: the value, `updatedAt`, for `last` its event time,
 * and `ttl` (keys included, so that a row first met here is known by a floor of its size).
 *
 * @example
 * ```ts
 * known.wrote(rowKeyOf(e), extremumAttrWrites(e, now));
 * ```
 */
export function extremumAttrWrites(e: ExtremumWrite, now: number): AttrWrite[] {
  const out: AttrWrite[] = [
    { name: 'pk', bytes: utf8Length(e.pk), fixed: true },
    { name: 'sk', bytes: utf8Length(e.sk), fixed: true },
    { name: 'updatedAt', bytes: numberSize(String(now)), fixed: true },
    { name: e.attr, bytes: attributeValueSize(toAttributeValue(e.value)) },
  ];
  if (e.op === 'last') out.push({ name: lastTimeAttr(e.attr), bytes: numberSize(String(e.time)) });
  if (e.ttl !== undefined) out.push({ name: 'ttl', bytes: numberSize(String(e.ttl)), fixed: true });
  return out;
}
