import { Readable } from 'node:stream';
import { DynamoDBClient, type DynamoDBClientConfig, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { HttpResponse } from '@smithy/core/transport';
import { describe, expect, it } from 'vitest';
import { withTimeouts } from './client-timeouts.ts';
import { QUIET_SDK_LOGGER, withQuietLogger } from './quiet-logger.ts';

/** A client whose requests are answered at once (status, body), counting the SDK's log copies of inputs. */
function cannedClient(config: DynamoDBClientConfig, status: number, body: string) {
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...config,
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({
          statusCode: status,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(body)]),
        }),
      }),
    } as never,
  });
  const copies = { n: 0 };
  // the logger middleware copies the input through the context's filter after the answer: count the calls
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const filter = context.inputFilterSensitiveLog as (input: unknown) => unknown;
      context.inputFilterSensitiveLog = (input: unknown) => {
        copies.n++;
        return filter(input);
      };
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'countLogCopies' },
  );
  return { client, copies };
}

const update = () =>
  new UpdateItemCommand({
    TableName: 't',
    Key: { pk: { S: 'a' }, sk: { S: 'b' } },
    UpdateExpression: 'ADD #c :one',
    ExpressionAttributeNames: { '#c': 'count' },
    ExpressionAttributeValues: { ':one': { N: '1' } },
  });

const refusal = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
  message: 'The conditional request failed',
});

describe('QUIET_SDK_LOGGER', () => {
  it('has the methods the SDK calls unguarded, and not the two whose arguments it builds', () => {
    for (const m of ['trace', 'debug', 'warn'] as const) expect(typeof QUIET_SDK_LOGGER[m]).toBe('function');
    expect('info' in QUIET_SDK_LOGGER).toBe(false);
    expect('error' in QUIET_SDK_LOGGER).toBe(false);
  });

  it('spares the copy of every input the SDK makes for its default logger, on success and on failure', async () => {
    const plain = cannedClient({}, 200, '{}');
    const quiet = cannedClient({ logger: QUIET_SDK_LOGGER }, 200, '{}');
    await plain.client.send(update());
    await quiet.client.send(update());
    expect(plain.copies.n).toBe(1); // the SDK's default logger: copied for nothing
    expect(quiet.copies.n).toBe(0);
    const refusedPlain = cannedClient({}, 400, refusal);
    const refusedQuiet = cannedClient({ logger: QUIET_SDK_LOGGER }, 400, refusal);
    await expect(refusedPlain.client.send(update())).rejects.toThrow('conditional request failed');
    await expect(refusedQuiet.client.send(update())).rejects.toThrow('conditional request failed');
    expect(refusedPlain.copies.n).toBe(1);
    expect(refusedQuiet.copies.n).toBe(0);
  });

  it('is the logger of every client dynotally configures, unless the configuration names one', async () => {
    const region: DynamoDBClientConfig = { region: 'eu-west-1' };
    expect(withQuietLogger(region).logger).toBe(QUIET_SDK_LOGGER);
    expect(withTimeouts(region).logger).toBe(QUIET_SDK_LOGGER);
    const handler = { handle: async () => ({ response: new HttpResponse({ statusCode: 200 }) }) };
    const handled: DynamoDBClientConfig = { requestHandler: handler as never };
    expect(withTimeouts(handled).logger).toBe(QUIET_SDK_LOGGER);
    const own = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    expect(withTimeouts({ logger: own }).logger).toBe(own);
    const client = new DynamoDBClient(withTimeouts({ region: 'eu-west-1' }));
    expect(await client.config.logger).toBe(QUIET_SDK_LOGGER);
    client.destroy();
  });
});
