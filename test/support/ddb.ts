import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, inject } from 'vitest';
import {
  localClientConfig,
  localStreamsClientConfig,
  waitForDynamoDbLocal,
} from '../../packages/dynotally/src/local/index.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** Endpoint of the run's DynamoDB Local (`''` when it could not be started). */
    ddbEndpoint: string;
    /** Why DynamoDB Local could not be started (`''` when it was). */
    ddbStartError: string;
  }
}

/**
 * Endpoint of the DynamoDB Local started by the global setup. It may still be starting:
 * clients from {@link testClients} wait for it; for your own clients `await ddbReady()` first.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(localClientConfig(await ddbReady()));
 * ```
 */
export function ddbEndpoint(): string {
  const endpoint = inject('ddbEndpoint');
  if (!endpoint) {
    throw new Error(
      `DynamoDB Local is not available for integration tests: ${inject('ddbStartError') || 'the global setup did not run (use the project vitest.config.ts)'}`,
    );
  }
  return endpoint;
}

let readyPromise: Promise<string> | undefined;

/**
 * Resolves with the endpoint once DynamoDB Local answers (the global setup has already waited for it; this
 * waits at most 180 s more, once per worker).
 *
 * @example
 * ```ts
 * beforeAll(async () => { await ddbReady(); });
 * ```
 */
export function ddbReady(): Promise<string> {
  readyPromise ??= (async () => {
    const endpoint = ddbEndpoint();
    await waitForDynamoDbLocal(endpoint, { timeoutMs: 180_000 });
    return endpoint;
  })();
  return readyPromise;
}

/** A DynamoDB and a DynamoDB Streams client for the run's DynamoDB Local. */
export interface TestClients {
  ddb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  /** Destroys both clients (call it in `afterAll`). */
  destroy(): void;
}

const TEST_CLIENT_ATTEMPTS = 8;

/**
 * Fresh clients for the run's DynamoDB Local; their first request waits until it is up.
 *
 * @example
 * ```ts
 * const { ddb, streams, destroy } = testClients();
 * afterAll(destroy);
 * ```
 */
export function testClients(): TestClients {
  const endpoint = ddbEndpoint();
  // More SDK attempts than the default 3: at load 35 DynamoDB Local answered a set-up put three times running
  // with InternalServerError ("too long waiting for a lock"), failing a whole file before its first test.
  const ddb = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: TEST_CLIENT_ATTEMPTS });
  const streams = new DynamoDBStreamsClient({
    ...localStreamsClientConfig(endpoint),
    maxAttempts: TEST_CLIENT_ATTEMPTS,
  });
  const waitStep = { step: 'initialize', name: 'dynotallyAwaitDynamoDbLocal' } as const;
  ddb.middlewareStack.add(
    (next) => async (args) => {
      await ddbReady();
      return next(args);
    },
    waitStep,
  );
  streams.middlewareStack.add(
    (next) => async (args) => {
      await ddbReady();
      return next(args);
    },
    waitStep,
  );
  return {
    ddb,
    streams,
    destroy: () => {
      ddb.destroy();
      streams.destroy();
    },
  };
}

/**
 * A DynamoDB client that waits for slow answers instead of sending the request again (connect 60 s, request
 * 5 min; destroyed after the file's tests). For tests of baselines whose plain `ADD`s are not idempotent: a
 * request that times out is re-sent by the SDK, and one that had landed lands twice. At load 15 DynamoDB Local
 * took over 30 s (the default request timeout) for some, and the Powertools baseline drifted from the oracle.
 *
 * @example
 * ```ts
 * await naive.setup(await patientTestClient());
 * ```
 */
export async function patientTestClient(): Promise<DynamoDBClient> {
  const client = new DynamoDBClient({
    ...localClientConfig(await ddbReady(), { connectTimeoutMs: 60_000, requestTimeoutMs: 300_000 }),
    maxAttempts: TEST_CLIENT_ATTEMPTS,
  });
  afterAll(() => client.destroy());
  return client;
}

let tableCounter = 0;

/**
 * A table name no other test (or worker, or earlier run against the same instance) uses:
 * `<prefix>-<pid>-<time>-<n>`, restricted to DynamoDB's allowed characters.
 *
 * @example
 * ```ts
 * const table = uniqueTableName('agg'); // 'agg-4242-m3x1k2-1'
 * ```
 */
export function uniqueTableName(prefix: string): string {
  const safe = prefix.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 100) || 't';
  tableCounter += 1;
  return `${safe}-${process.pid}-${Date.now().toString(36)}-${tableCounter}`;
}

/**
 * Fresh names for the four tables of a pipeline (source, aggregates, dead letters, leases): `<prefix>-src`,
 * `-agg`, `-dl`, `-lease`, each made unique.
 *
 * @example
 * ```ts
 * const stack = await startDevStack({ endpoint, tables: stackTables('dash') });
 * ```
 */
export function stackTables(prefix: string): {
  source: string;
  aggregate: string;
  deadLetter: string;
  leases: string;
} {
  return {
    source: uniqueTableName(`${prefix}-src`),
    aggregate: uniqueTableName(`${prefix}-agg`),
    deadLetter: uniqueTableName(`${prefix}-dl`),
    leases: uniqueTableName(`${prefix}-lease`),
  };
}

/**
 * Every item of a table (consistent scan, all pages).
 *
 * @example
 * ```ts
 * const items = await scanTable(clients.ddb, table);
 * ```
 */
export async function scanTable(
  client: DynamoDBClient,
  table: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
