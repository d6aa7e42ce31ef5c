import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The attribute that makes a dead-letter item a tombstone: the epoch ms at which its letter was dropped. A dropped
 * letter's item stays at its key as a tombstone until the letter's own `ttl` (what it would have lived, kept), so a
 * writer that sends the same letter again meanwhile (a re-run of the Redis flush that stored it, a redelivered batch,
 * a resumed backfill chunk) finds the key taken (`attribute_not_exists(pk)`) and stores nothing: a dropped letter is
 * never stored afresh and counted again. Listing, replay and the CLI skip tombstones.
 *
 * @example
 * ```ts
 * const dropped = item[DROPPED_ATTR] !== undefined; // a tombstone, not a letter
 * ```
 */
export const DROPPED_ATTR = 'droppedAt';

/** What a drop removes from the letter's item: its body, its parts' names, and a replay's progress. */
const REMOVED = ['body', 'record', 'parts', 'partsId', 'truncated', 'replayPlan', 'lastReplayAt'];

/**
 * True for a tombstone (a dropped letter's item, {@link DROPPED_ATTR}), which is no letter.
 *
 * @example
 * ```ts
 * if (isTombstone(out.Item)) return undefined; // dropped
 * ```
 */
export function isTombstone(item: Readonly<Record<string, AttributeValue>> | undefined): boolean {
  return item?.[DROPPED_ATTR] !== undefined;
}

/**
 * The `UpdateItem` that drops a letter by turning its main item into a tombstone: its body and a replay's progress
 * removed, {@link DROPPED_ATTR} set, and `replayedAt` set when it has none, so a release before tombstones takes it
 * for a replayed letter (listed only with `--all`, never replayed); its key, `ttl`, `code`, source and times kept,
 * its reason replaced by what happened. Only on a letter that exists and is no tombstone; unless `force`, not on one
 * whose replay committed some chunks but not all. `ALL_OLD` names the parts to delete, and a failed condition
 * returns the item as it was (none: already gone).
 *
 * @example
 * ```ts
 * const out = await client.send(new UpdateItemCommand(tombstoneParams('dynotally-dead-letters', letter.key, Date.now(), false)));
 * for (const k of partKeys(out.Attributes ?? {})) await client.send(new DeleteItemCommand({ TableName, Key: k }));
 * ```
 */
export function tombstoneParams(
  table: string,
  key: { readonly pk: string; readonly sk: string },
  now: number,
  force: boolean,
): UpdateItemCommandInput {
  const names: Record<string, string> = {
    '#pk': 'pk',
    '#d': DROPPED_ATTR,
    '#r': 'replayedAt',
    '#c': 'replayedChunks',
    '#why': 'reason',
  };
  REMOVED.forEach((name, i) => {
    names[`#x${i}`] = name;
  });
  const live = 'attribute_exists(#pk) AND attribute_not_exists(#d)';
  return {
    TableName: table,
    Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    UpdateExpression: `SET #d = :now, #r = if_not_exists(#r, :now), #why = :why REMOVE #c, ${REMOVED.map((_, i) => `#x${i}`).join(', ')}`,
    ConditionExpression: force ? live : `${live} AND (attribute_not_exists(#c) OR attribute_exists(#r))`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: {
      ':now': { N: String(now) },
      ':why': {
        S: `dropped at ${new Date(now).toISOString()}; kept as a tombstone until the letter's ttl, so that a writer sending it again (a re-run of the flush that stored it) stores nothing`,
      },
    },
    ReturnValues: 'ALL_OLD',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
