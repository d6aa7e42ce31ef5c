// Review h140: the per-letter catch of replayDeadLetters (7fb2b0b) takes any DynotallyError that is not a call-wide
// refusal and not retryable as "this letter's own problem". readControls (called by planReplay through targetsNow)
// throws APPLY_FAILED when the control items stay unprocessed after 10 reads (throttled): a transient, call-wide
// condition. The replay then reports every letter `still-poison` with code APPLY_FAILED, overwrites each letter's
// stored code with it, and goes on, instead of failing the call and leaving the letters as they were.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts } from '../apply/digits-rollups.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
function insert(id: string, seq: number): DynamoDBRecord {
  const image: Record<string, AttributeValue> = {
    id: { S: id },
    g: { S: 'a' },
    amount: { N: '5' },
    t: { N: '1763800000000' },
  };
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: image,
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: 1_763_800_000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}

/** The real client, except that every BatchGetItem comes back with all its keys unprocessed (throttled). */
function throttledBatchGets(real: DynamoDBClient): DynamoDBClient {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'send')
        return async (cmd: unknown, ...rest: unknown[]) => {
          if (cmd instanceof BatchGetItemCommand)
            return { Responses: {}, UnprocessedKeys: cmd.input.RequestItems, $metadata: {} };
          return (target.send as (...a: unknown[]) => unknown).call(target, cmd, ...rest);
        };
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe('replay while the control items are throttled', () => {
  // was it.fails until the per-letter catch became an allow-list (the call fails; the letters keep their codes)
  it('fails the call and leaves the letters as they were', async () => {
    const table = uniqueTableName('h140-thr');
    const dlq = uniqueTableName('h140-thr-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlq);
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
    await sink.send(
      [1, 2].map((k) => ({
        source: STREAM,
        shardId: 's1',
        sequenceNumber: String(100 + k),
        eventId: `e${100 + k}`,
        code: 'ROW_TOO_LARGE',
        reason: 'probe',
        record: insert(`i${k}`, 100 + k),
        at: 1_763_800_001_000,
      })),
    );
    let outcome: unknown;
    try {
      outcome = await replayDeadLetters({
        client: throttledBatchGets(clients.ddb),
        table,
        deadLetterTable: dlq,
        rollups: [amounts],
        all: true,
      });
    } catch (e) {
      outcome = e;
    }
    const stored = await listDeadLetters({ client: clients.ddb, table: dlq });
    console.log('outcome', JSON.stringify(outcome, null, 1)?.slice(0, 1200));
    console.log(
      'stored codes',
      stored.map((l) => l.code),
    );
    expect(outcome).toBeInstanceOf(Error);
    expect(stored.map((l) => l.code)).toEqual(['ROW_TOO_LARGE', 'ROW_TOO_LARGE']);
  });
});
