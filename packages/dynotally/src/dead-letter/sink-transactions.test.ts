// The DynamoDB sink with a checkpoint given as a function of the last letter: letters committed in order, a
// transaction at a time, each with the checkpoint through its last letter, so none is ever stored without it.
import type { DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from './dead-letter.ts';
import { DynamoDbDeadLetterSink } from './dynamodb-sink.ts';

const letter = (n: number): DeadLetter => {
  const seq = String(1000 + n);
  return {
    source: 'arn:stream',
    shardId: 'shard-1',
    sequenceNumber: seq,
    eventId: `e${n}`,
    code: 'RETRIES_EXHAUSTED',
    reason: 'throttled',
    record: {
      eventID: `e${n}`,
      eventName: 'INSERT',
      dynamodb: { Keys: { id: { S: `x${n}` } }, SequenceNumber: seq, NewImage: { id: { S: `x${n}` } } },
    } as DynamoDBRecord,
    at: 1_800_000_000_000,
  };
};

/** A client that records what it is sent and answers every request with success. */
function recording(): {
  client: DynamoDBClient;
  sent: Array<{ name: string; input: Record<string, unknown> }>;
} {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return {};
    },
  } as unknown as DynamoDBClient;
  return { client, sent };
}

const checkpoint = (through: string): TransactWriteItem => ({
  Update: {
    TableName: 'leases',
    Key: { pk: { S: 'shard' } },
    UpdateExpression: 'SET checkpoint = :c',
    ExpressionAttributeValues: { ':c': { S: through } },
  },
});
const checkpointOf = (items: TransactWriteItem[]) =>
  items.at(-1)?.Update?.ExpressionAttributeValues?.[':c']?.S;

describe('DynamoDbDeadLetterSink with the checkpoint as a function of the last letter', () => {
  // each letter is two items (its main item and its id entry, session 43): 49 letters and the checkpoint a transaction
  it('commits 100 letters as 49, 49 and 2, each transaction with the checkpoint through its last letter', async () => {
    const { client, sent } = recording();
    const letters = Array.from({ length: 100 }, (_, i) => letter(i));
    await new DynamoDbDeadLetterSink(client, 'letters').send(letters, {
      alongside: (last, final) => checkpoint(final ? 'the batch end' : last.sequenceNumber),
    });
    expect(sent.map((s) => s.name)).toEqual([
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
    ]);
    const [first, second, third] = sent.map((s) => s.input.TransactItems as TransactWriteItem[]);
    expect([first?.length, second?.length, third?.length]).toEqual([99, 99, 5]);
    expect(checkpointOf(first ?? [])).toBe('1048');
    expect(checkpointOf(second ?? [])).toBe('1097');
    expect(checkpointOf(third ?? [])).toBe('the batch end');
  });

  it('commits a few letters in one transaction, with the final checkpoint', async () => {
    const { client, sent } = recording();
    await new DynamoDbDeadLetterSink(client, 'letters').send([letter(1), letter(2)], {
      alongside: (last, final) => checkpoint(final ? 'end' : last.sequenceNumber),
    });
    expect(sent.map((s) => s.name)).toEqual(['TransactWriteItemsCommand']);
    expect(checkpointOf(sent[0]?.input.TransactItems as TransactWriteItem[])).toBe('end');
  });
});
