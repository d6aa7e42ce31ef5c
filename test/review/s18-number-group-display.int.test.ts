// Review s18 (NumberText group values in the CLI): `dynotally query total --group accountId:n=<digits a double
// would round>` now passes the group as { N: '…' } (query-args.ts parseGroup), and the query answers the right
// group, but the human output names it with a template string (query-total.ts: `${k}=${v}`), which prints
// `accountId=[object Object]`. The same happens in `dynotally verify`'s drift table (verify.ts humanReport:
// `${k}=${String(v)}`, the group decoded by parsePartitionKey, { N } for such values): the drifted group cannot be
// told from the output, nor passed back as --group. `query top` was taught (groupValueText); these were not.
// Observed: stdout starts `acct accountId=[object Object], …`.
// Expected: `acct accountId=0.12345678901234567891, …`.
// Fixed (session 18): query total's header and verify's drift table print a group as the --group pairs that name
// it again (`accountId:n=0.12345678901234567891`; query-args.ts groupPairs); this was the review's it.fails.
// Suggested fix: one shared formatter for group values (a { N } as its digits, a bigint as its digits) used by
// query total/series/latest headers and verify's drift table (query-top.ts's groupValueText, exported).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_LIB, cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';

const T = Date.UTC(2026, 10, 20);

describe('dynotally query total of a group whose number a double would round', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('names the group by its digits in the human output', { timeout: 600_000 }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('s18n');
    const flags = made.flags(endpoint);
    const created = await runDynotally(['tables', 'create', ...flags]);
    expect(created.code, created.stderr).toBe(0);
    const dir = tempDir('dynotally-s18n-');
    const config = join(dir, 'acct.config.mts');
    writeFileSync(
      config,
      `import { count, defineRollup } from ${JSON.stringify(CONFIG_LIB)};
export const acct = defineRollup({
  name: 'acct',
  groupBy: 'accountId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});
`,
    );
    await clients.ddb.send(
      new PutItemCommand({
        TableName: made.tables.source,
        Item: {
          pk: { S: 'a' },
          sk: { S: '1' },
          accountId: { N: '0.12345678901234567891' },
          t: { N: String(T) },
        },
      }),
    );
    const worker = await runDynotally(['worker', '--until-idle', '-c', config, ...flags]);
    expect(worker.code, worker.stderr).toBe(0);
    const q = await runDynotally([
      'query',
      'total',
      'acct',
      '--group',
      'accountId:n=0.12345678901234567891',
      '--all',
      '-c',
      config,
      ...flags,
    ]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/\bn\s+1\b/); // the right group is read
    expect(q.stdout).toContain('acct accountId:n=0.12345678901234567891,');
  });
});
