import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { inlineCode as code, codeOf, stackWithSource } from './fixtures/synth-support.ts';
import { DYNOTALLY_ACTIONS, DynotallyAggregates, type DynotallyAggregatesProps } from './index.ts';

function synth(props: Partial<DynotallyAggregatesProps> = {}, operator = false) {
  const { stack, source: sourceTable } = stackWithSource();
  const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable, code, ...props });
  if (operator) {
    const role = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
    aggregates.grantBackfill(role);
  }
  return { stack, aggregates, template: Template.fromStack(stack) };
}

/** The logical id of the one table whose properties match. */
function tableId(template: Template, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources('AWS::DynamoDB::Table', { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The actions granted on a table (by logical id) in the policies attached to the role `roleMatch` names. */
function actionsOn(template: Template, id: string, roleMatch: RegExp): string[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    roleMatch.test(JSON.stringify(p.Properties.Roles)),
  );
  return policies
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    )
    .filter((s) => JSON.stringify(s.Resource).includes(`"${id}"`))
    .flatMap((s) => (typeof s.Action === 'string' ? [s.Action] : s.Action))
    .sort();
}

const CLAIMS = { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] };
/** On the aggregate table, with versions: the handler's row writes and the control items' read (as a backfill's). */
const ROWS_AND_CONTROL = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

describe('DynotallyAggregates with rollup versions', () => {
  it('versions: true creates the claim table (pk only, TTL on ttl), names it to the handler and grants what versions need', () => {
    const { template, aggregates } = synth({ versions: true });
    template.resourceCountIs('AWS::DynamoDB::Table', 4); // source, aggregates, dead letters, claims
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...CLAIMS,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
    const claimsId = tableId(template, CLAIMS);
    expect(aggregates.claimTable).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLAIM_TABLE: { Ref: claimsId } }) },
    });
    const aggId = tableId(template, { GlobalSecondaryIndexes: Match.anyValue() });
    const handler = /StreamHandler/;
    expect(actionsOn(template, claimsId, handler)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:PutItem']);
    expect(actionsOn(template, aggId, handler)).toEqual(ROWS_AND_CONTROL);
  });

  it('without versions there is no claim table, no CLAIM_TABLE, and the aggregates get the handler grants alone', () => {
    const { template, aggregates } = synth();
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    expect(aggregates.claimTable).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLAIM_TABLE: Match.absent() }) },
    });
    const aggId = tableId(template, { GlobalSecondaryIndexes: Match.anyValue() });
    expect(actionsOn(template, aggId, /StreamHandler/)).toEqual([...DYNOTALLY_ACTIONS.apply].sort());
  });

  it('uses a claim table given instead of creating one', () => {
    const { stack, source: sourceTable } = stackWithSource();
    const claimTable = Table.fromTableName(stack, 'ExistingClaims', 'my-claims');
    const a = new DynotallyAggregates(stack, 'Aggregates', { sourceTable, code, claimTable });
    expect(a.claimTable).toBe(claimTable);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLAIM_TABLE: 'my-claims' }) },
    });
    const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(text).toContain('table/my-claims');
  });

  it('grantBackfill lets an operator scan the source and write rows, claims, progress and letters, nothing more', () => {
    const { template } = synth({ versions: true }, true);
    const sourceId = tableId(template, { StreamSpecification: Match.anyValue() });
    const aggId = tableId(template, { GlobalSecondaryIndexes: Match.anyValue() });
    const claimsId = tableId(template, CLAIMS);
    const operator = /Operator/;
    expect(actionsOn(template, sourceId, operator)).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Scan',
    ]);
    expect(actionsOn(template, aggId, operator)).toEqual(ROWS_AND_CONTROL);
    expect(actionsOn(template, claimsId, operator)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable', // the CLI's check of the claim table (createClaimTable) before it starts
      'dynamodb:DescribeTimeToLive',
      'dynamodb:GetItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateTimeToLive', // the CLI turns on the claims' TTL on a given claim table without it
    ]);
    // the letters of items the scan cannot count
    const lettersId = tableId(template, {
      TimeToLiveSpecification: Match.anyValue(),
      KeySchema: Match.arrayWith([Match.objectLike({ KeyType: 'RANGE' })]),
      GlobalSecondaryIndexes: Match.absent(),
    });
    expect(actionsOn(template, lettersId, operator)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });

  it('grantDeleteRetiredVersions: the control item, the Scan and the deletes on the aggregate table, nothing else', () => {
    const { stack, source: sourceTable } = stackWithSource();
    const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable, code, versions: true });
    aggregates.grantDeleteRetiredVersions(
      new Role(stack, 'Cleaner', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') }),
    );
    const template = Template.fromStack(stack);
    const aggId = tableId(template, { GlobalSecondaryIndexes: Match.anyValue() });
    expect(actionsOn(template, aggId, /Cleaner/)).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOn(template, tableId(template, CLAIMS), /Cleaner/)).toEqual([]);
  });

  it('refuses what cannot work, at synth: a backfill grant without versions, claim table settings without versions', () => {
    expect(codeOf(() => synth({}, true))).toBe('CONFIG_INVALID');
    expect(codeOf(() => synth({ claimTableOptions: { tableName: 'claims' } }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => synth({ versions: false, claimTableOptions: { tableName: 'claims' } }))).toBe(
      'CONFIG_INVALID',
    );
    const { stack, source: sourceTable } = stackWithSource();
    const claimTable = Table.fromTableName(stack, 'ExistingClaims', 'my-claims');
    expect(
      codeOf(
        () =>
          new DynotallyAggregates(stack, 'Aggregates', { sourceTable, code, claimTable, versions: false }),
      ),
    ).toBe('CONFIG_INVALID');
  });
});
