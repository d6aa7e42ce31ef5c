// Review s29c (CDK): `cdk destroy`, or a construct id renamed in a refactor (CloudFormation replaces the resource),
// must not delete the counters. No finding: the aggregate, dead-letter and claim tables the construct creates are
// retained by default (DeletionPolicy and UpdateReplacePolicy Retain), and only an explicit removalPolicy changes
// that (kept as coverage: nothing else asserts it).
import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

describe("the construct's tables", () => {
  it('are retained when the stack is deleted or the resource replaced, unless told otherwise', () => {
    const { stack, source } = stackWithSource();
    new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, versions: true });
    const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
    const ours = Object.entries(tables).filter(([id]) => id.startsWith('Aggregates'));
    expect(ours).toHaveLength(3); // aggregates, dead letters, claims
    for (const [, t] of ours) {
      expect(t.DeletionPolicy).toBe('Retain');
      expect(t.UpdateReplacePolicy).toBe('Retain');
    }

    const other = stackWithSource();
    new DynotallyAggregates(other.stack, 'Aggregates', {
      sourceTable: other.source,
      code,
      aggregateTableOptions: { removalPolicy: RemovalPolicy.DESTROY },
    });
    const policies = Object.entries(Template.fromStack(other.stack).findResources('AWS::DynamoDB::Table'))
      .filter(([id]) => id.startsWith('Aggregates'))
      .map(([, t]) => t.DeletionPolicy)
      .sort();
    expect(policies).toEqual(['Delete', 'Retain']);
  });
});
