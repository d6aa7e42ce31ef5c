// `dynotally dev --scenarios none` as a user runs it on their own table and rollups: no generator, no history;
// the stack keeps the user's source table (its own key, a stream enabled on it), its worker folds the config's
// rollups, the dashboard serves, and `dynotally query` reads the user's counts. Ctrl-C stops it cleanly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_LIB, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { startDevNone } from '../../../../test/support/dev-none.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

describe('dynotally dev --scenarios none', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('runs DynamoDB, the worker and the dashboard over your own table and rollups, with no scenario traffic', {
    timeout: 600_000,
  }, async () => {
    const endpoint = await ddbReady();
    const source = uniqueTableName('none-orders');
    // The user's table: its own key, no stream yet.
    await clients.ddb.send(
      new CreateTableCommand({
        TableName: source,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      }),
    );
    const dir = tempDir('dynotally-none-');
    const config = join(dir, 'dynotally.config.mts');
    writeFileSync(
      config,
      `import { count, defineRollup, sum } from ${JSON.stringify(CONFIG_LIB)};
export const orders = defineRollup({
  name: 'orders',
  groupBy: 'shopId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { orders: count(), amount: sum('amount') },
});
`,
    );
    const aggregate = uniqueTableName('none-agg');
    const read = ['-c', config, '--endpoint', endpoint, '--table', aggregate];
    const common = [
      ...read,
      ...['--source-table', source, '--dead-letter-table', uniqueTableName('none-dl')],
      ...['--lease-table', uniqueTableName('none-lease')],
    ];
    const { child, out, err, exited } = startDevNone(common);
    try {
      const line = async (n: number): Promise<Record<string, unknown>> => {
        await expect
          .poll(() => out().split('\n').length > n || child.exitCode !== null, {
            timeout: 480_000,
            interval: 250,
          })
          .toBe(true);
        expect(out().split('\n').length > n, `dev exited ${child.exitCode}: ${err()}`).toBe(true);
        return JSON.parse(out().split('\n')[n - 1] as string);
      };
      const started = await line(1);
      expect(started).toMatchObject({
        event: 'started',
        endpoint,
        scenarios: [],
        rollups: ['orders'],
        historyEvents: 0,
        s4Mode: null,
      });
      const url = String(started.url);

      const put = (orderId: string, shopId: string, amount: string) =>
        clients.ddb.send(
          new PutItemCommand({
            TableName: source,
            Item: {
              orderId: { S: orderId },
              shopId: { S: shopId },
              amount: { N: amount },
              createdAt: { N: String(Date.now()) },
            },
          }),
        );
      await put('o1', 'shop-a', '10.50');
      await put('o2', 'shop-a', '4.25');
      await put('o3', 'shop-b', '7');
      await put('o4', 'shop-a', '1');
      await clients.ddb.send(new DeleteItemCommand({ TableName: source, Key: { orderId: { S: 'o4' } } }));

      const state = async () =>
        (await (await fetch(`${url}/api/state`)).json()) as {
          scenarios: unknown[];
          worker: { records: number; idle: boolean } | null;
          generators: { scenarios: unknown[] } | null;
        };
      await expect
        .poll(async () => (await state()).worker?.records, { timeout: 240_000, interval: 500 })
        .toBe(5);
      const s = await state();
      expect(s.scenarios).toEqual([]);
      expect(s.generators?.scenarios).toEqual([]);
      const page = await fetch(url);
      expect(page.status).toBe(200);

      const q = await runDynotally([
        ...['query', 'total', 'orders', '--group', 'shopId=shop-a', '--all', '--json'],
        ...read,
      ]);
      expect(q.code, q.stderr).toBe(0);
      expect(JSON.parse(q.stdout).values).toEqual({ orders: 2, amount: '14.75' });

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await line(2)).toMatchObject({ event: 'stopped', events: 0, records: 5 });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it("refuses a configuration with strategy 'transaction', as dynotally worker does", {
    timeout: 300_000,
  }, async () => {
    const endpoint = await ddbReady();
    const dir = tempDir('dynotally-none-tx-');
    const config = join(dir, 'dynotally.config.mts');
    writeFileSync(
      config,
      `import { count, defineRollup } from ${JSON.stringify(CONFIG_LIB)};
const orders = defineRollup({
  name: 'orders',
  groupBy: 'shopId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { orders: count() },
});
export default { rollups: [orders], strategy: 'transaction' };
`,
    );
    const run = await runDynotally([
      ...['dev', '--scenarios', 'none', '--json', '--port', '0', '--no-open', '-c', config],
      ...['--endpoint', endpoint, '--table', uniqueTableName('none-tx-agg')],
      ...[
        '--source-table',
        uniqueTableName('none-tx-src'),
        '--lease-table',
        uniqueTableName('none-tx-lease'),
      ],
      // a dev that does not refuse stops on its own
      ...['--dead-letter-table', uniqueTableName('none-tx-dl'), '--duration', '60s'],
    ]);
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.stderr).toContain("strategy 'transaction' cannot be used with rollup versions");
  });
});
