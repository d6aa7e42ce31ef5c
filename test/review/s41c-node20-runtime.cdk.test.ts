// Review s41c (CDK: the stream function's runtime). Severity: low.
// Finding: `defineStreamFunction` accepted any Node.js runtime from 20 on ("a runtime older than Node.js 20" was the
// only refusal; docs/deploy.md: "`runtime` ≥ Node.js 20"). AWS Lambda deprecated `nodejs20.x` on Apr 30, 2026, blocks
// creating functions on it since Aug 31, 2026 and updating them since Sep 30, 2026 (Lambda developer guide, "Building
// Lambda functions with Node.js", supported runtimes table).
// Scenario: `new DynotallyAggregates(stack, 'Aggregates', { sourceTable, entry, runtime: Runtime.NODEJS_20_X })`.
// Observed: synth succeeds with `Runtime: nodejs20.x`; `cdk deploy` then fails in CloudFormation (Lambda refuses to
// create the function, or to update an existing one: a stack that ran on Node.js 20 can no longer change its handler,
// its environment or its memory), with Lambda's error, naming no option of the construct, although the construct
// promises that settings it cannot deploy fail at synth with a coded error.
// Fixed (session 41, helper s41c): the construct's oldest runtime is Node.js 22 (stream-function.ts,
// MIN_NODE_MAJOR): Node.js 20 is refused at synth with CONFIG_INVALID naming `runtime` and the dates; 22 and 24 (the
// default) synthesise.
import { Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';
import { type DynotallyError, isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';

describe('the stream function runtime', () => {
  it('refuses Node.js 20 at synth: Lambda no longer creates or updates nodejs20.x functions', () => {
    const { stack, source } = stackWithSource();
    let caught: unknown;
    try {
      new DynotallyAggregates(stack, 'Aggregates', {
        sourceTable: source,
        code,
        runtime: Runtime.NODEJS_20_X,
      });
    } catch (e) {
      caught = e;
    }
    expect(isDynotallyError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as DynotallyError).details).toMatchObject({ option: 'runtime', runtime: 'nodejs20.x' });
    expect((caught as Error).message).toContain('version 22 or newer');
    expect((caught as Error).message).toContain('Aug 31, 2026');
  });

  it('takes Node.js 22 and 24', () => {
    for (const runtime of [Runtime.NODEJS_22_X, Runtime.NODEJS_24_X]) {
      const { stack, source } = stackWithSource();
      new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, runtime });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: runtime.name });
    }
  });
});
