import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { batchStream, checkOneStream } from './one-stream.ts';
import { orderBatch } from './order-batch.ts';

const A = 'arn:aws:dynamodb:eu-west-1:1:table/a/stream/2026-12-01T00:00:00.000';
const B = 'arn:aws:dynamodb:eu-west-1:1:table/b/stream/2026-12-01T00:00:00.000';
const rec = (fields: Record<string, unknown>) => fields as DynamoDBRecord;

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return isDynotallyError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('checkOneStream', () => {
  it('passes one DynamoDB stream, and records that name no stream or source (left to the fold)', () => {
    const records = [
      rec({ eventSource: 'aws:dynamodb', eventSourceARN: A }),
      rec({ eventSourceARN: A }),
      rec({ eventSourceARN: '' }),
      rec({}),
      null as unknown as DynamoDBRecord,
    ];
    expect(codeOf(() => checkOneStream(records))).toBeUndefined();
  });

  it('refuses two streams among the records', () => {
    expect(codeOf(() => checkOneStream([rec({ eventSourceARN: A }), rec({ eventSourceARN: B })]))).toBe(
      'CONFIG_INVALID',
    );
    expect(
      codeOf(() => checkOneStream([rec({ eventSourceARN: B }), rec({}), rec({ eventSourceARN: A })])),
    ).toBe('CONFIG_INVALID');
  });

  it('refuses records of another source than a DynamoDB stream', () => {
    expect(codeOf(() => checkOneStream([rec({ eventSource: 'aws:kinesis' })]))).toBe('CONFIG_INVALID');
    expect(codeOf(() => checkOneStream([rec({ eventSource: 'aws:sqs', eventSourceARN: A })]))).toBe(
      'CONFIG_INVALID',
    );
  });

  it('is run by orderBatch, which every path orders its batch with', () => {
    const seq = (n: string, arn: string) => rec({ eventSourceARN: arn, dynamodb: { SequenceNumber: n } });
    expect(codeOf(() => orderBatch([seq('2', A), seq('1', B)]))).toBe('CONFIG_INVALID');
    expect(codeOf(() => orderBatch([rec({ eventSource: 'aws:kinesis' })]))).toBe('CONFIG_INVALID');
    expect(orderBatch([seq('2', A), seq('1', A)]).map((r) => r.dynamodb?.SequenceNumber)).toEqual(['1', '2']);
  });
});

describe('batchStream', () => {
  it('is the stream the batch names, whichever record names it; empty when none does', () => {
    expect(batchStream([rec({}), rec({ eventSourceARN: '' }), rec({ eventSourceARN: A })])).toBe(A);
    expect(batchStream([rec({ eventSourceARN: B }), rec({ eventSourceARN: A })])).toBe(B);
    expect(batchStream([rec({}), rec({ dynamodb: {} })])).toBe('');
  });
});
