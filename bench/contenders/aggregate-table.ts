import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  type ScanCommandOutput,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { addTo, type Canonical, canonicalKey, granularityOfLabel, MEASURES } from '../oracle/canonical.ts';

/**
 * Creates an on-demand table with key `pk` (S, hash) and `sk` (S, range) and waits until it is
 * active. An existing table of that name is reused as is.
 *
 * @example
 * ```ts
 * await createKeyValueTable(client, 'bench-naive-agg');
 * ```
 */
export async function createKeyValueTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  });
}

/**
 * Creates a table (ignoring "already exists") and waits until it is active.
 *
 * @example
 * ```ts
 * await createTable(client, { TableName: 't', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions, KeySchema });
 * ```
 */
export async function createTable(
  client: DynamoDBClient,
  input: ConstructorParameters<typeof CreateTableCommand>[0],
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1 }, { TableName: input.TableName });
}

/**
 * Scans a one-row-per-bucket aggregate table (`pk` = storeId, `sk` = bucket label, numeric
 * attributes `orders` and `views`) into the oracle's canonical form.
 *
 * @example
 * ```ts
 * const actual = await scanCanonical(client, 'bench-naive-agg');
 * ```
 */
export async function scanCanonical(client: DynamoDBClient, tableName: string): Promise<Canonical> {
  const out: Canonical = new Map();
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      const storeId = item.pk?.S;
      const label = item.sk?.S;
      if (storeId === undefined || label === undefined) continue;
      const granularity = granularityOfLabel(label);
      for (const measure of MEASURES) {
        const value = item[measure]?.N;
        if (value !== undefined)
          addTo(out, canonicalKey(storeId, granularity, label, measure), Number(value));
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return out;
}
