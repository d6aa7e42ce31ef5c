// Review s41v (adversarial review of s41c's Node.js 20 refusal). Severity: low.
// Finding: the runtime check judges a runtime by its `family` before its name, and says only "use a Node.js runtime
// of version 22 or newer". So `runtime: new Runtime('nodejs24.x')` (the constructor's family is optional, and
// NodejsFunction refuses a runtime without RuntimeFamily.NODEJS) was told "runtime nodejs24.x is not supported: use a
// Node.js runtime of version 22 or newer", of a Node.js 24 runtime; and a runtime given as a string (JavaScript, or a
// cast: `runtime: 'nodejs24.x'`) was "runtime undefined is not supported".
// Fixed: stream-function.ts (runtimeRefusal) says what is wrong with each: a Runtime without its family names
// `new Runtime('nodejs24.x', RuntimeFamily.NODEJS)` or `Runtime.NODEJS_24_X`; a string is shown and told to be a
// `Runtime`. Node.js 20 keeps its message; Runtime.NODEJS_LATEST and a family-ful `new Runtime('nodejs24.x',
// RuntimeFamily.NODEJS)` synthesise. Break-check: both refusal cases failed on main (a18e4b8c) before the fix.
import { Template } from 'aws-cdk-lib/assertions';
import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';
import { type DynotallyError, isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';

function refusal(runtime: unknown): DynotallyError {
  const { stack, source } = stackWithSource();
  try {
    new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, runtime: runtime as Runtime });
  } catch (e) {
    if (isDynotallyError(e, 'CONFIG_INVALID')) return e;
    throw e;
  }
  throw new Error('synthesised');
}

describe('the runtime refusal says what is wrong with the runtime given', () => {
  it('a Node.js 24 Runtime made without its family is told to give the family, not a newer version', () => {
    const e = refusal(new Runtime('nodejs24.x'));
    expect(e.message).not.toContain('version 22 or newer');
    expect(e.message).toContain("new Runtime('nodejs24.x', RuntimeFamily.NODEJS)");
    expect(e.details).toMatchObject({ option: 'runtime', runtime: 'nodejs24.x' });
  });

  it('a runtime given as a string is shown and told to be a Runtime', () => {
    const e = refusal('nodejs24.x');
    expect(e.message).not.toContain('undefined');
    expect(e.message).toContain("'nodejs24.x'");
    expect(e.message).toContain('Runtime.NODEJS_24_X');
  });

  it('still refuses Node.js 20 with the dates, and a Python runtime', () => {
    expect(refusal(Runtime.NODEJS_20_X).message).toContain('Aug 31, 2026');
    expect(refusal(new Runtime('nodejs20.x', RuntimeFamily.NODEJS)).message).toContain('version 22 or newer');
    expect(refusal(Runtime.PYTHON_3_13).message).toContain('python3.13');
  });

  it('takes Runtime.NODEJS_LATEST and a Runtime made with its family', () => {
    for (const runtime of [
      Runtime.NODEJS_LATEST,
      new Runtime('nodejs24.x', RuntimeFamily.NODEJS, { supportsInlineCode: true }), // the fixture's code is inline
    ]) {
      const { stack, source } = stackWithSource();
      new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, runtime });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x' });
    }
  });
});
