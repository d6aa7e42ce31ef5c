import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { toDeadLetter } from '../apply/index.ts';
import { decodeLetter, letterItems, letterKey } from '../dead-letter/letter-item.ts';
import { foldBatch } from '../fold/index.ts';
import { readStreamRecord, toLambdaRecord } from './to-lambda-record.ts';

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

describe('readStreamRecord', () => {
  const unknown = (seq: string, id: string, extra: Record<string, unknown> = {}) =>
    ({
      eventID: `e${seq}`,
      eventName: 'INSERT',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-11-22T13:14:15Z'),
        Keys: { pk: { S: id } },
        NewImage: { pk: { S: id }, v: { $unknown: ['VEC', [0.5, 0.25]] }, ...extra },
        SequenceNumber: seq,
        SizeBytes: 30,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    }) as unknown as _Record;

  it('converts a readable record as toLambdaRecord does', () => {
    const record: _Record = {
      eventName: 'INSERT',
      dynamodb: { NewImage: { pk: { S: 'a' } }, SequenceNumber: '7' },
    };
    expect(readStreamRecord(record, arn)).toEqual(toLambdaRecord(record, arn));
  });

  it('marks a record it cannot read: dead-lettered as RECORD_MALFORMED in its place, keys and sequence kept', () => {
    const good = (seq: string): _Record => ({
      eventName: 'INSERT',
      dynamodb: { NewImage: { pk: { S: seq } }, SequenceNumber: seq },
    });
    const marked = readStreamRecord(unknown('20', 'b'), arn);
    expect(marked.dynamodb).toEqual({
      ApproximateCreationDateTime: Math.floor(Date.parse('2026-11-22T13:14:15Z') / 1000),
      Keys: { pk: { S: 'b' } },
      SequenceNumber: '20',
      SizeBytes: 30,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const fold = foldBatch(
      [],
      [good('10'), unknown('20', 'b'), good('30')].map((r) => readStreamRecord(r, arn)),
    );
    expect(fold.changes.map((c) => Number(c.sequenceNumber))).toEqual([10, 30]);
    expect(fold.poison.map((p) => [p.index, p.sequenceNumber, p.error.code])).toEqual([
      [1, '20', 'RECORD_MALFORMED'],
    ]);
    expect(fold.poison[0]?.error.message).toMatch(/unknown type \(\$unknown\)/);
  });

  it('stores a letter whose replay is refused with the same code (the image is not kept)', () => {
    const marked = readStreamRecord(unknown('20', 'b'), arn);
    const poison = foldBatch([], [marked]).poison[0];
    if (poison === undefined) throw new Error('not poison');
    const letter = toDeadLetter(poison, arn, 'shard-1', 1_763_800_000_000);
    const { main, parts } = letterItems(letter, letterKey(letter), 14);
    const stored = decodeLetter(main, parts);
    expect([stored.code, stored.sequenceNumber, stored.record?.dynamodb?.Keys]).toEqual([
      'RECORD_MALFORMED',
      '20',
      { pk: { S: 'b' } },
    ]);
    // what a replay plans with (planReplay): the stored record folds to the same refusal
    const again = foldBatch([], [stored.record as NonNullable<typeof stored.record>]).poison[0];
    expect([again?.error.code, again?.error.message]).toEqual(['RECORD_MALFORMED', poison.error.message]);
  });

  it('keeps the sequence number when the keys cannot be read either', () => {
    const bad = unknown('21', 'c');
    (bad.dynamodb as { Keys: unknown }).Keys = { pk: { $unknown: ['Q', 1] } };
    const marked = readStreamRecord(bad, arn);
    expect(marked.dynamodb?.Keys).toBeUndefined();
    expect(foldBatch([], [marked]).poison[0]?.sequenceNumber).toBe('21');
  });
});
