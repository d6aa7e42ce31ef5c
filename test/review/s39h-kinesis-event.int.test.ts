// Fixed (session 39, helper s39h): createStreamHandler throws CONFIG_INVALID, before anything is written or
// dead-lettered, for an event whose records name another `eventSource` than 'aws:dynamodb'
// (packages/dynotally/src/decode/one-stream.ts, run by orderBatch), also under ReportBatchItemFailures.
// Review s39h (Lambda stream handler: an event that is not from a DynamoDB stream). Severity: medium (every change
// of the table leaves the counts for good, behind one warning per batch; a wiring error, not a Lambda fault).
// DynamoDB can send a table's changes to a Kinesis data stream instead of (or beside) its DynamoDB stream ("Kinesis
// Data Streams for DynamoDB"), and a Kinesis event source mapping with a tumbling window sends `shardId` as a
// DynamoDB one does. A handler attached to that Kinesis stream gets events whose records are Kinesis records
// (`eventSource: 'aws:kinesis'`, `eventName: 'aws:kinesis:record'`, the change as base64 JSON in `kinesis.data`).
// The handler refuses an event without a `Records` array ("is this handler attached to a DynamoDB stream?"), but
// such records are decoded one by one: each is `RECORD_MALFORMED`, goes to the dead-letter sink, and the batch is
// answered as done (`batchItemFailures: []`), so the mapping moves past it. The letters cannot be replayed into
// counts (the replay decodes the same Kinesis record and refuses it again) while the Kinesis stream, which still
// held the changes, trims them. SQS events (a Pipe's queue) go the same way under `mode: 'at-least-once'`.
// Expected: an event whose records say they come from another source than a DynamoDB stream (`eventSource` set and
// not 'aws:dynamodb') is thrown as CONFIG_INVALID before anything is written or dead-lettered, whatever the mapping
// reports: the mapping keeps the records and retries until the wiring is fixed.
// Observed (before the fix): `batchItemFailures: []`, one RECORD_MALFORMED letter.
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** A change of table `src` as Kinesis Data Streams for DynamoDB delivers it to a Lambda function. */
function kinesisRecord(seq: string) {
  const change = {
    awsRegion: 'eu-west-1',
    eventID: `e${seq}`,
    eventName: 'INSERT',
    recordFormat: 'application/json',
    tableName: 'src',
    dynamodb: {
      ApproximateCreationDateTime: LATE_NOW - HOUR,
      Keys: { id: { S: seq } },
      NewImage: { id: { S: seq }, g: { S: 'x' }, ts: { N: String(LATE_NOW - HOUR) } },
      SizeBytes: 40,
    },
    eventSource: 'aws:dynamodb',
  };
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'ABC',
      sequenceNumber: `4965${seq}`,
      data: Buffer.from(JSON.stringify(change)).toString('base64'),
      approximateArrivalTimestamp: (LATE_NOW - HOUR) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:4965${seq}`,
    eventName: 'aws:kinesis:record',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:kinesis:eu-west-1:1:stream/src-changes',
  };
}

describe('s39h: a Kinesis event given to the handler', () => {
  it('is refused before anything is dead-lettered, so the mapping keeps its records', async () => {
    const table = uniqueTableName('s39h-kinesis');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    const sink: DeadLetterSink = {
      async send(batch) {
        letters.push(...batch);
      },
    };
    const handler = streamHandlerIn(
      {
        rollups: [lateJobs],
        client: clients.ddb,
        table,
        deadLetter: sink,
        logger: silent,
        now: () => LATE_NOW,
      },
      { DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: 'true' },
    );
    let code: string | undefined;
    try {
      // a Kinesis mapping with a tumbling window sends the shard id, as a DynamoDB one does
      await handler({ shardId: 'shardId-000000000000', Records: [kinesisRecord('1')] as never });
    } catch (e) {
      code = isDynotallyError(e) ? e.code : String(e);
    }
    expect(code).toBe('CONFIG_INVALID');
    expect(letters).toEqual([]);
    expect(await countedJobs(clients.ddb, table)).toBeUndefined();
  });
});
