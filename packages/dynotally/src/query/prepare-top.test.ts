// The tie logic of top(): DynamoDB returns items with equal index sort keys in no particular order, so a
// leaderboard must read past ties to get the N-th place right. This stub index returns ties in the worst
// order (largest key first) and honours Limit and ExclusiveStartKey like a Query; everything else about
// DynamoDB is tested on DynamoDB Local in leaderboard.int.test.ts.
import type { AttributeValue, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { groupPartitionKey } from '../layout/group-key.ts';
import { leaderboardKey } from '../plan/leaderboard-key.ts';
import { createQueryClient } from './query-client.ts';

const rollup = defineRollup({
  name: 'favs',
  groupBy: 'restaurantId',
  granularities: ['all'],
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['all'], shards: 3 },
});

type Row = Record<string, AttributeValue>;

function stubIndex(rows: readonly Row[]) {
  const queries: QueryCommandInput[] = [];
  const send = async (command: { input: QueryCommandInput }) => {
    const input = command.input;
    queries.push(input);
    const k = input.ExpressionAttributeValues?.[':k']?.S;
    const negative = input.KeyConditionExpression?.includes('<');
    const matching = rows
      .filter((r) => r.lbk?.S === k && (negative ? Number(r.lbv?.N) < 0 : Number(r.lbv?.N) > 0))
      .sort((a, b) => Number(b.lbv?.N) - Number(a.lbv?.N) || ((b.pk?.S ?? '') < (a.pk?.S ?? '') ? -1 : 1));
    const start = input.ExclusiveStartKey === undefined ? 0 : Number(input.ExclusiveStartKey.i?.N);
    const page = matching.slice(start, start + (input.Limit ?? matching.length));
    const next = start + page.length;
    return {
      Items: page,
      LastEvaluatedKey: next < matching.length ? { i: { N: String(next) } } : undefined,
      ConsumedCapacity: { CapacityUnits: 0.5 },
    };
  };
  return { client: { send } as never, queries };
}

function row(id: string, value: number): Row {
  const pk = groupPartitionKey('favs', [id]);
  return {
    pk: { S: pk },
    sk: { S: 'ALL' },
    lbk: { S: leaderboardKey('favs', 'ALL', pk, 3) },
    lbv: { N: String(value) },
    favourites: { N: String(value) },
  };
}

describe('top() reads past ties', () => {
  it('gets every N-th place right when the index returns ties in the worst order', async () => {
    // 30 groups: 20 tied at 5, then 10 tied at 2, one at -1 and one at 0 (never listed)
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => row(`t${i}`, 5)),
      ...Array.from({ length: 10 }, (_, i) => row(`u${i}`, 2)),
      row('neg', -1),
      row('zero', 0),
    ];
    const want = rows
      .filter((r) => r.lbv?.N !== '0')
      .map((r) => ({ pk: r.pk?.S as string, v: Number(r.lbv?.N) }))
      .sort((a, b) => b.v - a.v || (a.pk < b.pk ? -1 : 1));
    const { client, queries } = stubIndex(rows);
    const query = createQueryClient({ client, table: 't', rollups: [rollup] });
    for (const n of [1, 2, 5, 19, 20, 21, 25, 30, 31, 40]) {
      const got = await query.top(rollup, { bucket: 'all', limit: n });
      expect(
        got.entries.map((e) => e.pk),
        `top ${n}`,
      ).toEqual(want.slice(0, n).map((w) => w.pk));
    }
    // the negative values were read only when the positive ones ran out
    expect(queries.some((q) => q.KeyConditionExpression?.includes('<'))).toBe(true);
    const before = queries.length;
    await query.top(rollup, { bucket: 'all', limit: 1 });
    expect(queries.slice(before).every((q) => q.KeyConditionExpression?.includes('>'))).toBe(true);
  });
});
