import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { aggregateTableSpec } from './aggregate-table.ts';
import { schemaDifferences } from './schema-differences.ts';

const spec = aggregateTableSpec('agg');
const asDescribed = (): TableDescription => ({
  TableName: 'agg',
  AttributeDefinitions: spec.AttributeDefinitions,
  KeySchema: spec.KeySchema,
  GlobalSecondaryIndexes: spec.GlobalSecondaryIndexes?.map((g) => ({ ...g, IndexStatus: 'ACTIVE' })),
});

describe('schemaDifferences', () => {
  it('accepts the table the spec creates, with extra indexes', () => {
    const table = asDescribed();
    table.GlobalSecondaryIndexes?.push({
      IndexName: 'other',
      KeySchema: [{ AttributeName: 'x', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    expect(schemaDifferences(spec, table)).toEqual([]);
  });

  it('reports a different key schema with expected and found', () => {
    const table: TableDescription = {
      ...asDescribed(),
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    };
    expect(schemaDifferences(spec, table)).toContain(
      'key schema: expected pk (S, HASH), sk (S, RANGE); found id (S, HASH)',
    );
  });

  it('reports a key attribute of another type', () => {
    const table = asDescribed();
    table.AttributeDefinitions = [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'lbk', AttributeType: 'S' },
      { AttributeName: 'lbv', AttributeType: 'N' },
    ];
    expect(schemaDifferences(spec, table)).toEqual([
      'key schema: expected pk (S, HASH), sk (S, RANGE); found pk (S, HASH), sk (N, RANGE)',
    ]);
  });

  it('reports a missing index, and an index with other keys or projection', () => {
    expect(schemaDifferences(spec, { ...asDescribed(), GlobalSecondaryIndexes: [] })).toEqual([
      'index leaderboard: expected a global secondary index; found none',
    ]);
    const table = asDescribed();
    table.GlobalSecondaryIndexes = [
      {
        IndexName: 'leaderboard',
        KeySchema: [{ AttributeName: 'lbk', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ];
    expect(schemaDifferences(spec, table)).toEqual([
      'index leaderboard keys: expected lbk (S, HASH), lbv (N, RANGE); found lbk (S, HASH)',
      'index leaderboard projection: expected ALL; found KEYS_ONLY',
    ]);
  });
});
