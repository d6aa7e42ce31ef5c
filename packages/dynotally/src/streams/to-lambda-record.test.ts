import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { toLambdaRecord } from './to-lambda-record.ts';

const arn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/jobs/stream/2026-11-22T13:00:00.000';

describe('toLambdaRecord', () => {
  it('produces the Lambda DynamoDBRecord shape', () => {
    const record: _Record = {
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-11-22T13:14:15.900Z'),
        Keys: { pk: { S: 'a' } },
        NewImage: {
          pk: { S: 'a' },
          n: { N: '2' },
          b: { B: new Uint8Array([1, 2, 3]) },
          bs: { BS: [new Uint8Array([255])] },
          m: { M: { l: { L: [{ B: new Uint8Array([0]) }, { NULL: true }, { BOOL: false }] } } },
          ss: { SS: ['x'] },
          ns: { NS: ['1', '2'] },
        },
        OldImage: { pk: { S: 'a' }, n: { N: '1' } },
        SequenceNumber: '111',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    expect(toLambdaRecord(record, arn)).toEqual({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: arn,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.parse('2026-11-22T13:14:15Z') / 1000),
        Keys: { pk: { S: 'a' } },
        NewImage: {
          pk: { S: 'a' },
          n: { N: '2' },
          b: { B: 'AQID' },
          bs: { BS: ['/w=='] },
          m: { M: { l: { L: [{ B: 'AA==' }, { NULL: true }, { BOOL: false }] } } },
          ss: { SS: ['x'] },
          ns: { NS: ['1', '2'] },
        },
        OldImage: { pk: { S: 'a' }, n: { N: '1' } },
        SequenceNumber: '111',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('keeps the TTL principal as Lambda spells it', () => {
    const out = toLambdaRecord(
      {
        eventName: 'REMOVE',
        userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
        dynamodb: { Keys: { pk: { S: 'a' } }, OldImage: { pk: { S: 'a' } }, SequenceNumber: '5' },
      },
      arn,
    );
    expect(out.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(out.eventSource).toBe('aws:dynamodb');
    expect(out.dynamodb?.NewImage).toBeUndefined();
  });

  it('rejects attribute values of unknown type with RECORD_MALFORMED', () => {
    const bad = {
      eventName: 'INSERT',
      dynamodb: { NewImage: { x: { $unknown: ['Q', 1] } } },
    } as unknown as _Record;
    expect(() => toLambdaRecord(bad, arn)).toThrow(expect.objectContaining({ code: 'RECORD_MALFORMED' }));
  });
});
