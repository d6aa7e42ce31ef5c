import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { type DynamoDBClient, UpdateItemCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import type { Canonical } from '../oracle/canonical.ts';
import { createKeyValueTable, createTable, scanCanonical } from './aggregate-table.ts';
import type { Contender, LambdaBatch } from './contender.ts';
import { lambdaContext } from './lambda-context.ts';
import { perEventAdds } from './per-event-adds.ts';

/** Options for {@link createPowertoolsContender}. */
export interface PowertoolsContenderOptions {
  /** Aggregate table; default `bench-powertools-agg`. */
  tableName?: string;
  /** Idempotency table (key `id` S, TTL `expiration`); default `bench-powertools-idempotency`. */
  idempotencyTableName?: string;
  /** Process a batch's records concurrently (Powertools' default) or one by one; default true. */
  processInParallel?: boolean;
  /**
   * How long an event id is remembered; default 25 h, past the stream's 24-hour retention, so any
   * redelivery is caught (Powertools' own default of 1 h would let late redeliveries count twice).
   */
  expiresAfterSeconds?: number;
  /** Redeliveries from the first failed record, as Lambda does with ReportBatchItemFailures; default 3. */
  maxRetries?: number;
  /** The simulated Lambda timeout, for the in-progress expiry; default 300 s. */
  timeoutMs?: number;
  /** Zone of day, month and year buckets; default `Europe/London`. */
  timeZone?: string;
}

const FUNCTION_NAME = 'bench-powertools';

/**
 * What a careful team builds today: AWS Lambda Powertools' `BatchProcessor` (DynamoDB Streams,
 * partial batch responses) with its idempotency utility (DynamoDB persistence keyed by each record's
 * `eventID`) around the same per-event `ADD`s as the naive contender. A redelivered record is
 * skipped; each record costs a conditional `PutItem` and an `UpdateItem` on the idempotency table on
 * top of its aggregate updates.
 *
 * @example
 * ```ts
 * const powertools = createPowertoolsContender();
 * await powertools.setup(client);
 * await powertools.handle({ shardId: 'shard-1', records });
 * ```
 */
export function createPowertoolsContender(options: PowertoolsContenderOptions = {}): Contender {
  const tableName = options.tableName ?? 'bench-powertools-agg';
  const idempotencyTableName = options.idempotencyTableName ?? 'bench-powertools-idempotency';
  const timeZone = options.timeZone ?? 'Europe/London';
  const maxRetries = options.maxRetries ?? 3;
  const timeoutMs = options.timeoutMs ?? 300_000;
  let handleRecord: ((record: DynamoDBRecord, context: Context) => Promise<void>) | undefined;

  const invoke = async (records: DynamoDBRecord[]): Promise<string[]> => {
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const context = lambdaContext(FUNCTION_NAME, timeoutMs);
    try {
      const response = await processPartialResponse({ Records: records }, handleRecord!, processor, {
        context,
        processInParallel: options.processInParallel ?? true,
      });
      return response.batchItemFailures.map((failure) => failure.itemIdentifier);
    } catch (error) {
      // FullBatchFailureError: every record failed; Lambda would retry the whole batch.
      if (error instanceof Error && error.name === 'FullBatchFailureError') {
        return records.map((record) => record.dynamodb?.SequenceNumber ?? '');
      }
      throw error;
    }
  };

  return {
    name: 'powertools',
    async setup(client: DynamoDBClient): Promise<void> {
      await createKeyValueTable(client, tableName);
      await createTable(client, {
        TableName: idempotencyTableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      });
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: idempotencyTableName,
            TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
          }),
        )
        .catch((error: unknown) => {
          // Re-running setup on a table whose TTL is already on is fine.
          if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
        });

      const persistenceStore = new DynamoDBPersistenceLayer({
        tableName: idempotencyTableName,
        awsSdkV3Client: client,
      });
      const config = new IdempotencyConfig({
        eventKeyJmesPath: 'eventID',
        throwOnNoIdempotencyKey: true,
        expiresAfterSeconds: options.expiresAfterSeconds ?? 25 * 3_600,
      });
      const applyRecord = async (record: DynamoDBRecord, _context: Context): Promise<void> => {
        const updates = perEventAdds(record, { tableName, timeZone });
        await Promise.all(updates.map((input) => client.send(new UpdateItemCommand(input))));
      };
      handleRecord = makeIdempotent(applyRecord, { persistenceStore, config, keyPrefix: FUNCTION_NAME });
    },
    async handle(batch: LambdaBatch): Promise<void> {
      if (handleRecord === undefined)
        throw new Error('powertools contender: call setup(client) before handle()');
      let records = batch.records;
      for (let attempt = 0; ; attempt++) {
        const failed = new Set(await invoke(records));
        if (failed.size === 0) return;
        if (attempt >= maxRetries) {
          throw new Error(
            `powertools contender: ${failed.size} record(s) of shard ${batch.shardId} still failing after ${maxRetries} retries`,
          );
        }
        // Lambda resumes a stream batch at the first failed record (ReportBatchItemFailures).
        const first = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
        records = records.slice(Math.max(0, first));
      }
    },
    readCanonical(client: DynamoDBClient): Promise<Canonical> {
      return scanCanonical(client, tableName);
    },
  };
}
