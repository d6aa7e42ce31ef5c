import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { GroupValue, Rollup } from 'dynotally';
import { groupPairs } from '../cli/commands/query-args.ts';

/**
 * A group of `rollup` that its aggregate table holds rows for, as the `--group` value that names it
 * (`storeId=s-1`, `year:n=2026`; a groupBy function without declared names: `=acme`), or `undefined` when none is
 * found in the first `maxPages` pages of a scan (a table not written yet): what the dev stack's first screen puts in
 * its `query it` line instead of a placeholder (review s43u). Reads version 1's rows (`<rollup>#<value>…`); a value
 * the CLI cannot name exactly (a number past a double's digits) is skipped.
 *
 * @example
 * ```ts
 * await seenGroup(ddb, 'dynotally-aggregates', orders); // 'storeId=s-1'
 * ```
 */
export async function seenGroup(
  ddb: DynamoDBClient,
  table: string,
  rollup: Rollup,
  maxPages = 4,
): Promise<string | undefined> {
  const c = rollup.compiled;
  let start: Record<string, never> | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: '#pk',
        FilterExpression: 'begins_with(#pk, :p)',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':p': { S: `${c.name}#` } },
        Limit: 500,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of out.Items ?? []) {
      const pk = item.pk?.S;
      const values = pk === undefined ? undefined : decodeValues(pk.slice(c.name.length + 1).split('#'));
      if (values === undefined) continue;
      const names = c.groupNames ?? values.map(() => '');
      if (names.length !== values.length) continue;
      return groupPairs(Object.fromEntries(names.map((n, i) => [n, values[i] as GroupValue])));
    }
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
    if (start === undefined) return undefined;
  }
  return undefined;
}

/** The row key's group values (`s…` strings, `n…` numbers, `b0`/`b1`), or `undefined` for one not named exactly. */
function decodeValues(parts: readonly string[]): GroupValue[] | undefined {
  const values: GroupValue[] = [];
  for (const p of parts) {
    const body = p.slice(1);
    if (p[0] === 's') values.push(body.replaceAll('%23', '#').replaceAll('%25', '%'));
    else if (p[0] === 'b' && (body === '0' || body === '1')) values.push(body === '1');
    else if (p[0] === 'n' && String(Number(body)) === body) values.push(Number(body));
    else return undefined;
  }
  return values;
}
