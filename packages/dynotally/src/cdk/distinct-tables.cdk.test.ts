// The construct's comparison of its tables (distinct-tables.ts): what synth can prove to be one table is refused,
// what it cannot (two distinct deploy-time names) is not. The s34c probe covers the construct's own created tables.
import { CfnParameter } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { DynotallyAggregates } from './dynotally-aggregates.ts';
import { inlineCode as code, stackWithSource } from './fixtures/synth-support.ts';

function errorOf(f: () => unknown): { code?: string; message?: string } {
  try {
    f();
  } catch (e) {
    return isDynotallyError(e) ? { code: e.code, message: e.message } : { message: String(e) };
  }
  return {};
}

describe('DynotallyAggregates compares its tables', () => {
  it('refuses two imports of one literal name, naming both props and the table', () => {
    const { stack, source } = stackWithSource();
    const e = errorOf(
      () =>
        new DynotallyAggregates(stack, 'Aggregates', {
          sourceTable: source,
          code,
          aggregateTable: Table.fromTableName(stack, 'A', 'prod-aggregates'),
          deadLetterTable: Table.fromTableArn(
            stack,
            'D',
            'arn:aws:dynamodb:eu-west-1:123456789012:table/prod-aggregates',
          ),
        }),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/aggregateTable and deadLetterTable are the same table \('prod-aggregates'\)/);
  });

  it('refuses the source table imported again by its name token as the claim table', () => {
    const { stack, source } = stackWithSource();
    const e = errorOf(
      () =>
        new DynotallyAggregates(stack, 'Aggregates', {
          sourceTable: source,
          code,
          claimTable: Table.fromTableName(stack, 'C', source.tableName),
        }),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/sourceTable and claimTable are the same table \(Test\/Source\)/);
  });

  it('takes different literal names, one name in two accounts, and two deploy-time names it cannot compare', () => {
    const { stack, source } = stackWithSource();
    expect(
      errorOf(
        () =>
          new DynotallyAggregates(stack, 'Aggregates', {
            sourceTable: source,
            code,
            aggregateTable: Table.fromTableName(stack, 'A', 'aggregates'),
            deadLetterTable: Table.fromTableName(stack, 'D', 'dead-letters'),
          }),
      ),
    ).toEqual({});
    const other = stackWithSource();
    const arn = (account: string) => `arn:aws:dynamodb:eu-west-1:${account}:table/aggregates`;
    expect(
      errorOf(
        () =>
          new DynotallyAggregates(other.stack, 'Aggregates', {
            sourceTable: other.source,
            code,
            aggregateTable: Table.fromTableArn(other.stack, 'A', arn('111111111111')),
            deadLetterTable: Table.fromTableArn(other.stack, 'D', arn('222222222222')),
          }),
      ),
    ).toEqual({});
    const third = stackWithSource();
    const q = (id: string) => new CfnParameter(third.stack, id).valueAsString;
    expect(
      errorOf(
        () =>
          new DynotallyAggregates(third.stack, 'Aggregates', {
            sourceTable: third.source,
            code,
            aggregateTable: Table.fromTableName(third.stack, 'A', q('AggregateName')),
            claimTable: Table.fromTableName(third.stack, 'C', q('ClaimName')),
          }),
      ),
    ).toEqual({});
  });
});
