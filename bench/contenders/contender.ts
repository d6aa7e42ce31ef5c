import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Canonical } from '../oracle/canonical.ts';

/** A batch as Lambda's DynamoDB Streams event source mapping delivers it: one shard, records in order. */
export interface LambdaBatch {
  shardId: string;
  records: DynamoDBRecord[];
}

/**
 * One way of folding stream records into aggregates, measured by the benchmark and checked
 * against the oracle. Each contender owns its tables.
 *
 * @example
 * ```ts
 * const contender: Contender = createNaiveContender();
 * await contender.setup(client);
 * for (const batch of recordBatches(records, 100)) await contender.handle(batch);
 * const wrong = diffCanonical(computeOracle(items), await contender.readCanonical(client));
 * ```
 */
export interface Contender {
  /** Short id used in result tables (`naive`, `powertools`, …). */
  name: string;
  /** Creates the contender's tables and binds it to `client` for {@link Contender.handle}. */
  setup(client: DynamoDBClient): Promise<void>;
  /** Processes one batch the way its Lambda would; rejects when the batch is not fully applied. */
  handle(batch: LambdaBatch): Promise<void>;
  /** Reads back every aggregate the contender wrote, in the oracle's canonical form. */
  readCanonical(client: DynamoDBClient): Promise<Canonical>;
}
