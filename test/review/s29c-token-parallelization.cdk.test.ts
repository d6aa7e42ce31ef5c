// Fixed (session 29, helper-117): in exactly-once mode a `parallelizationFactor` known only at deploy time (a
// CloudFormation parameter, an SSM value, any unresolved token) is refused at synth with EVENT_SOURCE_INVALID.
// Finding: `eventSourceSettings` checks `factor > 1` only when the value is resolved (`!Token.isUnresolved(factor)`),
// and `checkRange` skips tokens too, so `parallelizationFactor: new CfnParameter(stack, 'P', { type: 'Number'
// }).valueAsNumber` synthesised a mapping with `ParallelizationFactor: { Ref: P }` and `DYNOTALLY_MODE:
// exactly-once`.
// Mechanism: deployed with P = 4, Lambda runs up to four batches of one shard at once. Each row is written once per
// batch conditioned on its per-shard watermark being below the batch's first contributing record; a batch that
// loses the race to a later batch of the same shard finds the watermark past its records and treats them as
// already applied: their counts are lost, silently (docs/deploy.md, "At-least-once", calls this case silent).
// Fix: exactly-once admits exactly one value, 1, so there is nothing to parameterise: an unresolved factor is
// refused in exactly-once mode (at-least-once still leaves a token to CloudFormation, as before).
import { CfnParameter, Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { eventSourceSettings } from '../../packages/dynotally/src/cdk/event-source-settings.ts';
import {
  inlineCode as code,
  codeOf,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

describe('a parallelization factor only known at deploy time', () => {
  it('is refused in exactly-once mode, at synth, with the option named', () => {
    const { stack, source } = stackWithSource();
    const factor = new CfnParameter(stack, 'Parallelization', { type: 'Number', default: 1 }).valueAsNumber;
    expect(
      codeOf(
        () =>
          new DynotallyAggregates(stack, 'A', { sourceTable: source, code, parallelizationFactor: factor }),
      ),
    ).toBe('EVENT_SOURCE_INVALID');
    expect(() =>
      eventSourceSettings({ parallelizationFactor: Lazy.number({ produce: () => 4 }) }, 'exactly-once'),
    ).toThrow(/parallelizationFactor.*deploy time.*at-least-once/);
  });

  it('is left to CloudFormation in at-least-once mode', () => {
    const { stack, source } = stackWithSource();
    const factor = new CfnParameter(stack, 'Parallelization', { type: 'Number', default: 4 });
    new DynotallyAggregates(stack, 'A', {
      sourceTable: source,
      code,
      mode: 'at-least-once',
      parallelizationFactor: factor.valueAsNumber,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ParallelizationFactor: { Ref: 'Parallelization' },
    });
  });
});
