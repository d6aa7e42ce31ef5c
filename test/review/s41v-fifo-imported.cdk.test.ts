// Review s41v (adversarial review of s41c's FIFO onFailure refusal): no finding, kept as coverage. An imported FIFO
// queue or topic (`Queue.fromQueueArn` / `Topic.fromTopicArn` of a `.fifo` ARN, bare or in `SqsDlq` / `SnsDlq`) is
// refused at synth like a created one: aws-cdk-lib sets `fifo` from the ARN's name, which the check reads. An ARN that
// is a token (an import of another stack's output) cannot be judged at synth and synthesises, unless the import says
// `fifo: true`; a standard imported queue synthesises.
import { Fn } from 'aws-cdk-lib';
import { SnsDlq, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import {
  DynotallyAggregates,
  type DynotallyAggregatesProps,
} from '../../packages/dynotally/src/cdk/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:given-up';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:given-up';

function outcome(onFailure: (s: Construct) => DynotallyAggregatesProps['onFailure']): string {
  const { stack, source } = stackWithSource();
  try {
    new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, onFailure: onFailure(stack) });
    return 'synth';
  } catch (e) {
    return isDynotallyError(e) ? e.code : `raw ${(e as Error).message}`;
  }
}

describe('an imported FIFO onFailure destination', () => {
  it('is refused at synth from its ARN, bare or in SqsDlq / SnsDlq; a token ARN only when said to be FIFO', () => {
    expect({
      queue: outcome((s) => Queue.fromQueueArn(s, 'Q', `${QUEUE}.fifo`)),
      inSqsDlq: outcome((s) => new SqsDlq(Queue.fromQueueArn(s, 'Q', `${QUEUE}.fifo`))),
      inSnsDlq: outcome((s) => new SnsDlq(Topic.fromTopicArn(s, 'T', `${TOPIC}.fifo`))),
      tokenSaidFifo: outcome((s) =>
        Queue.fromQueueAttributes(s, 'Q', { queueArn: Fn.importValue('dl'), fifo: true }),
      ),
      token: outcome((s) => Queue.fromQueueArn(s, 'Q', Fn.importValue('dl'))),
      standard: outcome((s) => Queue.fromQueueArn(s, 'Q', QUEUE)),
      standardTopic: outcome((s) => new SnsDlq(Topic.fromTopicArn(s, 'T', TOPIC))),
    }).toEqual({
      queue: 'EVENT_SOURCE_INVALID',
      inSqsDlq: 'EVENT_SOURCE_INVALID',
      inSnsDlq: 'EVENT_SOURCE_INVALID',
      tokenSaidFifo: 'EVENT_SOURCE_INVALID',
      token: 'synth',
      standard: 'synth',
      standardTopic: 'synth',
    });
  });
});
