// Fixed (session 29, helper-117): `DynotallyAggregates.grantVerify` gives an operator's role what `verify` sends
// (DYNOTALLY_ACTIONS.verify), on the source and aggregate tables only; see s29c-verify-grant.int.test.ts for the
// finding and the recorded requests.
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

describe('grantVerify', () => {
  it('grants DescribeTable and Scan on the source, GetItem, Query and Scan on the aggregates, nothing else', () => {
    const { stack, source } = stackWithSource();
    const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code });
    const role = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
    aggregates.grantVerify(role);
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('Operator'))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>,
      );
    const tableIds = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    const on = (id: string) =>
      statements
        .filter((s) => JSON.stringify(s.Resource).includes(`"${id}"`))
        .flatMap((s) => s.Action)
        .sort();
    const sourceId = tableIds.find((id) => id.startsWith('Source')) as string;
    const aggId = tableIds.find((id) => id.includes('AggregateTable')) as string;
    expect(on(sourceId)).toEqual(['dynamodb:DescribeTable', 'dynamodb:Scan']);
    expect(on(aggId)).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']);
    // no other table, no index, no wildcard
    expect(statements.flatMap((s) => s.Action).length).toBe(5);
    expect(JSON.stringify(statements.map((s) => s.Resource))).not.toMatch(/index|\*/);
  });
});
