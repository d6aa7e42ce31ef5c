import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { Applier } from '../apply/index.ts';
import { DynamoDbDeadLetterSink } from '../dead-letter/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { createVersionedWriteSide } from '../versions/index.ts';
import { checkTableName, tableNameProblem } from './table-name.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isDynotallyError(e) ? e.code : String(e);
  }
  return undefined;
};

describe('table names', () => {
  it('accepts what DynamoDB accepts: 3 to 255 of a-z A-Z 0-9 _ . -, or a table ARN', () => {
    for (const ok of [
      'abc',
      'dynotally-dead-letters',
      'My_Table.v2',
      'x'.repeat(255),
      'arn:aws:dynamodb:eu-west-1:123456789012:table/dead-letters',
      'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/a.b_c-d',
    ])
      expect(tableNameProblem(ok), ok).toBeUndefined();
  });

  it('refuses the rest, saying why', () => {
    expect(tableNameProblem(undefined)).toBe('is not a string');
    expect(tableNameProblem('')).toBe('is empty');
    expect(tableNameProblem('ab')).toBe('has 2 characters, not 3 to 255');
    expect(tableNameProblem('x'.repeat(256))).toBe('has 256 characters, not 3 to 255');
    expect(tableNameProblem('dead letters')).toMatch(/characters other than/);
    expect(tableNameProblem('arn:aws:dynamodb:eu-west-1:1:table/')).toBe('is not a DynamoDB table ARN');
    expect(tableNameProblem('arn:aws:s3:::bucket')).toBe('is not a DynamoDB table ARN');
    expect(codeOf(() => checkTableName(' ', 'deadLetter.table'))).toBe('CONFIG_INVALID');
  });

  it('is checked when a dead-letter sink or an applier is made, not by its first write', () => {
    const client = new DynamoDBClient({ region: 'eu-west-1' });
    const r = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
    expect(codeOf(() => new DynamoDbDeadLetterSink(client, undefined as unknown as string))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOf(() => new DynamoDbDeadLetterSink(client, 'dead-letters'))).toBeUndefined();
    expect(codeOf(() => new Applier({ client, table: '', rollups: [r] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => new Applier({ client, table: 'aggregates', rollups: [r] }))).toBeUndefined();
    // the versioned write side makes its appliers per batch: its tables are checked when it is made
    expect(codeOf(() => createVersionedWriteSide({ client, table: 'ab', rollups: [r] }))).toBe(
      'CONFIG_INVALID',
    );
    expect(
      codeOf(() => createVersionedWriteSide({ client, table: 'aggregates', claimTable: '', rollups: [r] })),
    ).toBe('CONFIG_INVALID');
    expect(
      codeOf(() => createVersionedWriteSide({ client, table: 'aggregates', rollups: [r] })),
    ).toBeUndefined();
  });
});
