import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { decodeRecord, padSequence } from './decode-record.ts';
import { readNumber } from './read-attr.ts';

const rec = (over: Partial<DynamoDBRecord> = {}): DynamoDBRecord => ({
  eventID: 'e1',
  eventName: 'REMOVE',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
  dynamodb: {
    SequenceNumber: '4421584500000000017450439091',
    ApproximateCreationDateTime: 1763800000,
    OldImage: { a: { N: '1' } },
  },
  ...over,
});

describe('decodeRecord', () => {
  it('decodes kind, padded sequence, approximate time and TTL deletes', () => {
    const c = decodeRecord(
      rec({ userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }),
      { shardId: 'shardId-1' },
    );
    expect(c.kind).toBe('REMOVE');
    expect(c.sequenceNumber).toBe('0000000000004421584500000000017450439091');
    expect(c.approximateTimeMs).toBe(1763800000000);
    expect(c.ttlDelete).toBe(true);
    expect(c.shardId).toBe('shardId-1');
    expect(decodeRecord(rec()).ttlDelete).toBe(false);
  });

  it.each([
    ['no eventName', { eventName: undefined }],
    ['unknown eventName', { eventName: 'UPSERT' as never }],
    ['no body', { dynamodb: undefined }],
    ['no sequence number', { dynamodb: { ApproximateCreationDateTime: 1 } }],
    ['non-digit sequence', { dynamodb: { SequenceNumber: '12a' } }],
    ['image not a map', { dynamodb: { SequenceNumber: '1', NewImage: 'x' as never } }],
  ])('rejects %s with RECORD_MALFORMED', (_l, over) => {
    try {
      decodeRecord(rec(over as Partial<DynamoDBRecord>));
      expect.unreachable();
    } catch (e) {
      expect(isDynotallyError(e, 'RECORD_MALFORMED')).toBe(true);
    }
  });

  it('keeps numbers exact to 38 digits', () => {
    const n = readNumber({ x: { N: '12345678901234567890123456789012345678' } }, 'x');
    expect(String(n)).toBe('12345678901234567890123456789012345678');
    expect(readNumber({ x: { N: '42' } }, 'x')).toBe(42);
  });

  it('pads sequence numbers so string order is numeric order', () => {
    expect(padSequence('9') < padSequence('10')).toBe(true);
  });
});
