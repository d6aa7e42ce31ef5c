// `dynotally query top` names each group as the --group pairs that name it again, as `query total`'s header and
// `verify`'s drift table do (query-args.ts groupPair): the string '7' and the number 7 are different groups, and its
// table printed both as `7`. A groupBy function's attribute names are not kept in the row key, so its entries show the
// pairs without them (`=7`, `:n=7`). End to end through the bin on DynamoDB Local, both groups present.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_LIB, cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

const T = Date.UTC(2026, 10, 20);

describe('dynotally query top of the groups "7" and 7', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('tells them apart, by attribute and for a groupBy function', { timeout: 600_000 }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('qtop7');
    const flags = made.flags(endpoint);
    const created = await runDynotally(['tables', 'create', ...flags]);
    expect(created.code, created.stderr).toBe(0);
    const dir = tempDir('dynotally-qtop7-');
    const config = join(dir, 'acct.config.mts');
    writeFileSync(
      config,
      `import { count, defineRollup } from ${JSON.stringify(CONFIG_LIB)};
const common = {
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
} as const;
export const acct = defineRollup({ name: 'acct', groupBy: 'accountId', ...common });
export const acctfn = defineRollup({ name: 'acctfn', groupBy: (item) => ({ acct: item.accountId as string | number }), ...common });
`,
    );
    const put = (id: string, accountId: AttributeValue) =>
      clients.ddb.send(
        new PutItemCommand({
          TableName: made.tables.source,
          Item: { pk: { S: id }, sk: { S: '1' }, accountId, t: { N: String(T) } },
        }),
      );
    // the string twice, the number once: the string ranks first
    await put('a', { S: '7' });
    await put('b', { S: '7' });
    await put('c', { N: '7' });
    const worker = await runDynotally(['worker', '--until-idle', '-c', config, ...flags]);
    expect(worker.code, worker.stderr).toBe(0);
    const top = async (rollup: string) => {
      const q = await runDynotally(['query', 'top', rollup, '-c', config, ...flags]);
      expect(q.code, q.stderr).toBe(0);
      return q.stdout;
    };
    const byAttribute = await top('acct');
    expect(byAttribute).toMatch(/^\s*1\s+accountId=7\s+2$/m);
    expect(byAttribute).toMatch(/^\s*2\s+accountId:n=7\s+1$/m);
    const byFunction = await top('acctfn');
    expect(byFunction).toMatch(/^\s*1\s+=7\s+2$/m);
    expect(byFunction).toMatch(/^\s*2\s+:n=7\s+1$/m);
  });
});
