// grantReplayDeadLetters gives an operator's role what `dynotally dead-letters replay` sends (DYNOTALLY_ACTIONS.replay,
// held to a real replay's requests by test/dead-letter/iam-actions-replay.int.test.ts); the lists are spelt out here
// so the synthesised policy is pinned, not just compared with itself.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { inlineCode as code, stackWithSource } from './fixtures/synth-support.ts';
import { DynotallyAggregates } from './index.ts';

function synth(versions: boolean) {
  const { stack, source: sourceTable } = stackWithSource();
  const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable, code, versions });
  const role = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
  const grants = aggregates.grantReplayDeadLetters(role);
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('Operator'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>);
  const on = (id: string | undefined) =>
    statements
      .filter((s) => id !== undefined && JSON.stringify(s.Resource).includes(`"${id}"`))
      .flatMap((s) => s.Action)
      .sort();
  const tableId = (props: Record<string, unknown>): string | undefined =>
    Object.keys(template.findResources('AWS::DynamoDB::Table', { Properties: props }))[0];
  return {
    grants,
    statements,
    on,
    source: tableId({ StreamSpecification: Match.anyValue() }),
    aggregates: tableId({ GlobalSecondaryIndexes: Match.anyValue() }),
    letters: tableId({
      KeySchema: Match.arrayWith([Match.objectLike({ KeyType: 'RANGE' })]),
      GlobalSecondaryIndexes: Match.absent(),
      StreamSpecification: Match.absent(),
    }),
    claims: tableId({ KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
  };
}

const LETTERS = ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'];
const AGGREGATES = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'];

describe('grantReplayDeadLetters', () => {
  it('grants the letters’ reads and marks, the rows’ and control reads and writes, the claims with versions: nothing else', () => {
    const s = synth(true);
    expect(s.claims).toBeDefined();
    expect(s.grants).toHaveLength(3);
    expect(s.on(s.letters)).toEqual(LETTERS);
    expect(s.on(s.aggregates)).toEqual(AGGREGATES);
    expect(s.on(s.claims)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:PutItem',
      'dynamodb:UpdateTimeToLive', // the CLI turns on the claims' TTL on a given claim table without it
    ]);
    expect(s.on(s.source)).toEqual([]);
    // no drop (DeleteItem), no other table, no index, no wildcard
    expect(s.statements.flatMap((x) => x.Action).length).toBe(11);
    expect(JSON.stringify(s.statements.map((x) => x.Resource))).not.toMatch(/index|\*/);
  });

  it('without versions there is no claim table: the letters and the aggregates only', () => {
    const s = synth(false);
    expect(s.claims).toBeUndefined();
    expect(s.grants).toHaveLength(2);
    expect(s.on(s.letters)).toEqual(LETTERS);
    expect(s.on(s.aggregates)).toEqual(AGGREGATES);
    expect(s.statements.flatMap((x) => x.Action).length).toBe(6);
  });
});
