// grantReadDeadLetters and grantDropDeadLetters give an operator's role what `dynotally dead-letters list` / `show`
// and `drop` send (DYNOTALLY_ACTIONS.inspect and .drop, held to the commands' requests by
// test/dead-letter/iam-actions-inspect-drop.int.test.ts); the lists are spelt out here so the synthesised policy is
// pinned, not just compared with itself.
import { Template } from 'aws-cdk-lib/assertions';
import { type IGrantable, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { inlineCode as code, stackWithSource } from './fixtures/synth-support.ts';
import { DynotallyAggregates } from './index.ts';

function synth(grant: (aggregates: DynotallyAggregates, role: IGrantable) => void) {
  const { stack, source: sourceTable } = stackWithSource();
  const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable, code, versions: true });
  grant(aggregates, new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') }));
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('Operator'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>);
  const letters = stack.resolve(aggregates.deadLetterTable.tableArn) as unknown;
  return { statements, letters };
}

describe('the dead-letter grants', () => {
  it('grantReadDeadLetters: Scan and GetItem on the dead-letter table, nothing else (no Query: nothing sends one)', () => {
    const s = synth((a, role) => a.grantReadDeadLetters(role));
    expect(s.statements).toHaveLength(1);
    expect([...(s.statements[0]?.Action ?? [])].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Scan']);
    expect(s.statements[0]?.Resource).toEqual(s.letters);
  });

  it('grantDropDeadLetters: Scan, GetItem, UpdateItem (the tombstone) and DeleteItem on the dead-letter table, nothing else', () => {
    const s = synth((a, role) => a.grantDropDeadLetters(role));
    expect(s.statements).toHaveLength(1);
    expect([...(s.statements[0]?.Action ?? [])].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(s.statements[0]?.Resource).toEqual(s.letters);
  });

  it('the replay grant still does not drop', () => {
    const s = synth((a, role) => a.grantReplayDeadLetters(role));
    expect(s.statements.flatMap((x) => x.Action)).not.toContain('dynamodb:DeleteItem');
  });
});
