import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/**
 * `DescribeTable`, with `undefined` instead of an exception when the table does not exist.
 *
 * @example
 * ```ts
 * if (!(await describeTable(client, 'dynotally-aggregates'))) console.log('not created yet');
 * ```
 */
export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
  /** Ends the request (a bound on a client without request timeouts). */
  abortSignal?: AbortSignal,
): Promise<TableDescription | undefined> {
  try {
    const out = await client.send(
      new DescribeTableCommand({ TableName: tableName }),
      abortSignal === undefined ? {} : { abortSignal },
    );
    return out.Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}
