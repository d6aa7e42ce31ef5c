// Review s34c (CDK: the tables the construct is given). Severity: medium.
// DynotallyAggregates takes an existing `aggregateTable`, `deadLetterTable` and `claimTable` ("it is not checked",
// docs/deploy.md) and never compares them with each other or with `sourceTable`. The CLI refuses one table name given
// for two roles (distinct-tables.ts: CONFIG_INVALID, "each role has its own key schema"); the construct synthesises
// the same mistakes without a word.
// Scenario 1 (single-table design, the common DynamoDB style: one table with string pk/sk, which is "dynotally's
// schema"): `aggregateTable: source`. Observed: synth succeeds, AGGREGATE_TABLE names the source table, and the
// handler is granted row writes on it. Deployed, every aggregate row write is itself a change on the source stream:
// the mapping feeds the handler its own writes (twice the invocations and stream reads at best); a rollup grouped by
// `pk` or `sk` (usual in single-table designs, e.g. pk = CUSTOMER#…) counts each new aggregate row as an item,
// whose own row is another new item: a cascade of writes per source change until keys pass DynamoDB's limits;
// `verify` and `backfill` scan the aggregate rows as source items.
// Scenario 2: `claimTable: aggregates` (or `deadLetterTable: aggregates`). The claim table's key is `pk` alone
// (claimTableSpec), the aggregate table's pk + sk: every claim PutItem fails ValidationException, so every batch
// fails while a version is building and the shard stops for up to the mapping's 24 h. With the aggregate table as the
// dead-letter table, `dead-letters list`, `replay` and `drop` scan every aggregate row as a candidate letter.
// Expected: CONFIG_INVALID at synth naming the two options given the same table, as the CLI does.
// Suggested fix: in the DynotallyAggregates constructor, compare the resolved `tableArn` (Stack.of(this).resolve, as
// JSON) of sourceTable, aggregateTable, deadLetterTable and claimTable, and refuse any two that are equal.
import { Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  codeOf,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

describe('one table given for two of the roles', () => {
  it('the source table as the aggregate table is refused at synth', () => {
    const { stack, source } = stackWithSource();
    expect(
      codeOf(
        () =>
          new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, aggregateTable: source }),
      ),
    ).toBe('CONFIG_INVALID');
  });

  it('the aggregate table as the claim table or the dead-letter table is refused at synth', () => {
    const given = (role: 'claimTable' | 'deadLetterTable') => {
      const { stack, source } = stackWithSource();
      const aggregates = new Table(stack, 'Aggregates', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        sortKey: { name: 'sk', type: AttributeType.STRING },
      });
      return codeOf(
        () =>
          new DynotallyAggregates(Stack.of(source), 'Dynotally', {
            sourceTable: source,
            code,
            aggregateTable: aggregates,
            [role]: aggregates,
          }),
      );
    };
    expect({ claimTable: given('claimTable'), deadLetterTable: given('deadLetterTable') }).toEqual({
      claimTable: 'CONFIG_INVALID',
      deadLetterTable: 'CONFIG_INVALID',
    });
  });
});
