// Fixed (session 29, helper-117): `grantRead` names the one index a query client reads (`leaderboard`, for `top`)
// instead of `<table>/index/*`.
// Finding: the reader's statement granted GetItem, BatchGetItem and Query on `${tableArn}/index/*`, a wildcard where
// the index ARN is known (the construct's aggregate table has exactly the `leaderboard` GSI, AGGREGATE_TABLE). With
// `aggregateTable` given (an existing table, possibly shared with other data), every other index of that table was
// readable by every query client too.
// Fix: `grantTableActions` takes `index` (one index by name) beside `indexes` (all, kept for callers that want it),
// and `grantRead` uses `index: 'leaderboard'`.
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

describe('grantRead', () => {
  it('grants the aggregate table and its leaderboard index by name, no index wildcard', () => {
    const { stack, source } = stackWithSource();
    const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code });
    const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    aggregates.grantRead(reader);
    const template = Template.fromStack(stack);
    const [statement] = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('Reader'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Resource: unknown }>);
    const aggId = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) =>
      id.includes('AggregateTable'),
    ) as string;
    expect(statement?.Resource).toEqual([
      { 'Fn::GetAtt': [aggId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [aggId, 'Arn'] }, '/index/leaderboard']] },
    ]);
  });
});
