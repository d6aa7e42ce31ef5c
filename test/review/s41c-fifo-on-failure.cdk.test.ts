// Review s41c (CDK: the mapping's on-failure destination). Severity: low.
// Finding: `onFailure` takes "an SQS queue, or any event source destination" (DynotallyAggregatesProps), and the
// construct wraps a queue in `SqsDlq` without looking at it. Lambda takes only a *standard* SQS queue or a *standard*
// SNS topic as a DynamoDB stream mapping's destination for discarded batches (Lambda developer guide, "Lambda
// parameters for Amazon DynamoDB event source mappings": DestinationConfig).
// Scenario: `onFailure: new Queue(stack, 'Failures', { fifo: true })` (a team that makes every queue FIFO), or
// `new SnsDlq(fifoTopic)`, typically beside `retryAttempts`, which the construct refuses without `onFailure`.
// Observed: synth succeeds; the deploy fails when CloudFormation creates the event source mapping, with Lambda's
// error and no option of the construct named — the construct promises that settings it cannot deploy fail at synth
// with a coded error.
// Fixed (session 41, helper s41c): `failureDestination` (dynotally-aggregates.ts) refuses a FIFO queue or topic with
// EVENT_SOURCE_INVALID naming `onFailure` (a queue given as it is, or inside `SqsDlq` / `SnsDlq`); standard ones
// synthesise as before.
import { Template } from 'aws-cdk-lib/assertions';
import { SnsDlq, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  codeOf,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';
import type { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';

describe('a FIFO on-failure destination', () => {
  it('is refused at synth, given as a queue, in SqsDlq or in SnsDlq', () => {
    const { stack, source } = stackWithSource();
    const queue = new Queue(stack, 'Failures', { fifo: true });
    const topic = new Topic(stack, 'FailureTopic', { fifo: true });
    const cases = [
      ['Q', queue],
      ['S', new SqsDlq(queue)],
      ['T', new SnsDlq(topic)],
    ] as const;
    for (const [id, onFailure] of cases) {
      let caught: unknown;
      try {
        new DynotallyAggregates(stack, id, { sourceTable: source, code, retryAttempts: 3, onFailure });
      } catch (e) {
        caught = e;
      }
      expect((caught as DynotallyError | undefined)?.code, id).toBe('EVENT_SOURCE_INVALID');
      expect((caught as DynotallyError).details, id).toMatchObject({ option: 'onFailure' });
      expect((caught as Error).message, id).toMatch(/standard/);
    }
  });

  it('standard ones synthesise as before', () => {
    const { stack, source } = stackWithSource();
    const queue = new Queue(stack, 'Failures');
    const topic = new Topic(stack, 'FailureTopic');
    expect(
      codeOf(() => new DynotallyAggregates(stack, 'Q', { sourceTable: source, code, onFailure: queue })),
    ).toBe(undefined);
    expect(
      codeOf(
        () =>
          new DynotallyAggregates(stack, 'T', { sourceTable: source, code, onFailure: new SnsDlq(topic) }),
      ),
    ).toBe(undefined);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });
});
