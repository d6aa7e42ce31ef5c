// The fault proxy itself, against DynamoDB Local: each fault does what the tier's properties assume.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { ddbReady, testClients, uniqueTableName } from './ddb.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { FaultSchedule } from './fault-schedule.ts';

const clients = testClients();
let proxy: FaultProxy;
let client: DynamoDBClient;
let table: string;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: await ddbReady(), counts: (op) => op === 'PutItem' });
  client = new DynamoDBClient({ ...localClientConfig(proxy.endpoint), maxAttempts: 1 });
  table = uniqueTableName('fault-proxy');
  await createAggregateTable(clients.ddb, table);
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  clients.destroy();
});

const put = (sk: string) =>
  client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'p' }, sk: { S: sk } } }));
const exists = async (sk: string) =>
  (await clients.ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: sk } } })))
    .Item !== undefined;

describe('fault proxy', () => {
  it('throttle: HTTP 400 with the DynamoDB error the SDK names, never forwarded', async () => {
    proxy.setSchedule([
      { after: 0, fault: { kind: 'throttle', error: 'ProvisionedThroughputExceededException' }, requests: 1 },
    ]);
    await expect(put('throttled')).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await exists('throttled')).toBe(false);
    proxy.setSchedule([{ after: 0, fault: { kind: 'throttle', error: 'ThrottlingException' }, requests: 1 }]);
    await expect(put('throttled2')).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('drop: the write is applied, the caller sees a network error', async () => {
    proxy.setSchedule([{ after: 0, fault: { kind: 'drop', holdMs: 20 }, requests: 1 }]);
    await expect(put('dropped')).rejects.toThrow();
    expect(await exists('dropped')).toBe(true);
  });

  it('reset: the write never arrives, the caller sees a network error', async () => {
    proxy.setSchedule([{ after: 0, fault: { kind: 'reset' }, requests: 1 }]);
    await expect(put('reset')).rejects.toThrow();
    expect(await exists('reset')).toBe(false);
  });

  it('delay, then clean requests; uncounted operations pass untouched', async () => {
    proxy.setSchedule([{ after: 1, fault: { kind: 'delay', ms: 200 }, requests: 1 }]);
    await put('first');
    const t0 = Date.now();
    await put('delayed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    await put('third');
    expect(proxy.exhausted).toBe(true);
    expect(proxy.injected.delay).toBe(1);
    expect(proxy.log.filter((r) => r.n > 0).map((r) => r.fault ?? '-')).toEqual(['-', 'delay', '-']);
  });

  it('a schedule is data: windows counted in requests', () => {
    const s = new FaultSchedule([
      { after: 2, fault: { kind: 'reset' }, requests: 2 },
      { after: 0, fault: { kind: 'delay', ms: 5 }, requests: 1 },
      { after: 3, fault: { kind: 'reset' }, requests: 1 },
    ]);
    const kinds = Array.from({ length: 11 }, (_, i) => s.faultFor(i + 1)?.kind ?? '-');
    expect(kinds).toEqual(['-', '-', 'reset', 'reset', 'delay', '-', '-', '-', 'reset', '-', '-']);
    expect(s.end).toBe(9);
  });
});
