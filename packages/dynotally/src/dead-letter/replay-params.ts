import type { AttributeValue, Update } from '@aws-sdk/client-dynamodb';
import type { DeadLetterDelta } from './dead-letter.ts';

/**
 * The transaction item that adds a dead letter's deltas to one aggregate row: plain `ADD`s (no watermark
 * condition: the dead-letter item's marker, in the same transaction, is what makes the replay happen once),
 * `updatedAt`, the row's TTL and its leaderboard key when ranked.
 *
 * @example
 * ```ts
 * const update = replayRowUpdate('aggregates', { pk: 'jobs#sc-1', sk: 'D2026-11-22', adds: [['n', '1']] }, Date.now());
 * await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: update }, { Update: marker }] }));
 * ```
 */
export function replayRowUpdate(table: string, d: DeadLetterDelta, now: number): Update {
  const names: Record<string, string> = { '#u': 'updatedAt' };
  const values: Record<string, AttributeValue> = { ':u': { N: String(now) } };
  const set = ['#u = :u'];
  const add: string[] = [];
  d.adds.forEach(([attr, delta], i) => {
    names[`#a${i}`] = attr;
    values[`:v${i}`] = { N: delta };
    add.push(`#a${i} :v${i}`);
  });
  if (d.ttl !== undefined) {
    names['#ttl'] = 'ttl';
    values[':ttl'] = { N: String(d.ttl) };
    set.push('#ttl = :ttl');
  }
  if (d.leaderboard !== undefined) {
    names['#lbk'] = 'lbk';
    names['#lbv'] = 'lbv';
    values[':lbk'] = { S: d.leaderboard.key };
    values[':lbv'] = { N: d.leaderboard.delta };
    set.push('#lbk = :lbk');
    add.push('#lbv :lbv');
  }
  return {
    TableName: table,
    Key: { pk: { S: d.pk }, sk: { S: d.sk } },
    UpdateExpression: `SET ${set.join(', ')}${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The transaction item that marks a dead letter replayed, conditioned on it still existing (not dropped) and
 * not being replayed yet. A replay in several transactions (more than 99 rows, or a row cut into several updates:
 * `replayChunks`) marks each chunk by its id, conditioned on that chunk not being marked; the last chunk also
 * sets `replayedAt`. Each chunk's marker also records the digest of the whole cut (`plan`), conditioned on the
 * letter holding no other: two replays that cut the letter differently never both commit chunks.
 *
 * @example
 * ```ts
 * const marker = replayMarkerUpdate('dead-letters', letter.key, Date.now());
 * ```
 */
export function replayMarkerUpdate(
  table: string,
  key: { readonly pk: string; readonly sk: string },
  now: number,
  chunk?: { readonly id: string; readonly last: boolean; readonly plan?: string | undefined },
): Update {
  const names: Record<string, string> = { '#pk': 'pk', '#r': 'replayedAt' };
  const values: Record<string, AttributeValue> = { ':now': { N: String(now) } };
  let condition = 'attribute_exists(#pk) AND attribute_not_exists(#r)';
  let update = 'SET #r = :now';
  if (chunk !== undefined) {
    names['#c'] = 'replayedChunks';
    values[':c'] = { SS: [chunk.id] };
    values[':cid'] = { S: chunk.id };
    condition += ' AND NOT contains(#c, :cid)';
    const sets = chunk.last ? ['#r = :now'] : [];
    if (chunk.plan !== undefined) {
      names['#p'] = 'replayPlan';
      values[':p'] = { S: chunk.plan };
      condition += ' AND (attribute_not_exists(#p) OR #p = :p)';
      sets.push('#p = :p');
    }
    update = `${sets.length > 0 ? `SET ${sets.join(', ')} ` : ''}ADD #c :c`;
    if (!chunk.last) delete values[':now']; // DynamoDB rejects unused values
  }
  return {
    TableName: table,
    Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
