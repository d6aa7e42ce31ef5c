// The per-shard transaction path reads its sampled rows 100 to a BatchGetItem (under the `transaction` strategy
// every row of a batch is on that path: one GetItem a sampled row was most of its requests), falling back to GetItem
// for a role that may not BatchGetItem.
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { emptyReport } from '../../packages/dynotally/src/apply/apply-report.ts';
import { readRowsBatched } from '../../packages/dynotally/src/apply/read-rows-batched.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const ROWS = Array.from({ length: 250 }, (_, i) => ({ pk: `r#s${i}`, sk: 'ALL' }));

async function table(): Promise<string> {
  const name = uniqueTableName('read-rows');
  await createAggregateTable(clients.ddb, name);
  // every other row exists
  const items = ROWS.filter((_, i) => i % 2 === 0).map((r, i) => ({
    PutRequest: { Item: { pk: { S: r.pk }, sk: { S: r.sk }, n: { N: String(i) } } },
  }));
  for (let i = 0; i < items.length; i += 25)
    await clients.ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: items.slice(i, i + 25) } }));
  return name;
}

describe('readRowsBatched', () => {
  it('reads 250 rows in 3 requests, absent rows as undefined', async () => {
    const report = emptyReport();
    const out = await readRowsBatched(ROWS, { client: clients.ddb, table: await table(), report });
    expect(report.readRequests).toBe(3);
    expect(out.size).toBe(250);
    ROWS.forEach((r, i) => {
      const item = out.get(`${r.pk}\u0000${r.sk}`);
      expect(item?.pk?.S, r.pk).toBe(i % 2 === 0 ? r.pk : undefined);
    });
  });

  it('reads row by row when the role may not BatchGetItem', async () => {
    const name = await table();
    const denying = {
      send: (command: { constructor: { name: string } }) =>
        command.constructor.name === 'BatchGetItemCommand'
          ? Promise.reject(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }))
          : clients.ddb.send(command as never),
    } as unknown as DynamoDBClient;
    const report = emptyReport();
    const out = await readRowsBatched(ROWS.slice(0, 120), { client: denying, table: name, report });
    expect(report.readRequests).toBe(120);
    expect([...out.values()].filter((item) => item !== undefined)).toHaveLength(60);
  });
});
