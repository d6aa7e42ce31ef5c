// Review s34c (CDK: the stream function's environment). Severity: low.
// `sourceMap: true` is documented as "Emit a source map and run with `--enable-source-maps`" (StreamFunctionOptions,
// docs/deploy.md: "`sourceMap: true` adds a source map and `NODE_OPTIONS=--enable-source-maps`"). stream-function.ts
// builds the environment as `{ ...(sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}), ...options.environment,
// ...environment }`, so a user's own NODE_OPTIONS (`--max-old-space-size=…`, `--require …`, common in Lambda
// environments) replaces the flag instead of joining it.
// Scenario: sourceMap: true, environment: { NODE_OPTIONS: '--max-old-space-size=400' }.
// Observed: NODE_OPTIONS is '--max-old-space-size=400': the bundle carries its source map, Node never reads it, and
// the stack traces of a failing batch (the logs an operator reads at 3 a.m.) point into the minified bundle. Synth says
// nothing.
// Expected: NODE_OPTIONS holds both ('--enable-source-maps --max-old-space-size=400'), or the construct refuses the
// combination with CONFIG_INVALID naming `environment.NODE_OPTIONS` and `sourceMap`.
// Suggested fix: in defineStreamFunction, when sourceMap is on, join '--enable-source-maps' to a given NODE_OPTIONS
// (unless it already has it) rather than letting the user's value replace it.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  inlineCode as code,
  stackWithSource,
} from '../../packages/dynotally/src/cdk/fixtures/synth-support.ts';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

describe('sourceMap: true beside a NODE_OPTIONS of the user', () => {
  it('still runs the function with --enable-source-maps', () => {
    const { stack, source } = stackWithSource();
    new DynotallyAggregates(stack, 'Aggregates', {
      sourceTable: source,
      code,
      sourceMap: true,
      environment: { NODE_OPTIONS: '--max-old-space-size=400' },
    });
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    const options = String(fn?.Properties.Environment.Variables.NODE_OPTIONS);
    expect(options).toContain('--max-old-space-size=400');
    expect(options).toContain('--enable-source-maps');
  });

  it('does not repeat the flag when the user already gives it', () => {
    const { stack, source } = stackWithSource();
    new DynotallyAggregates(stack, 'Aggregates', {
      sourceTable: source,
      code,
      sourceMap: true,
      environment: { NODE_OPTIONS: '--max-old-space-size=400 --enable-source-maps' },
    });
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    expect(fn?.Properties.Environment.Variables.NODE_OPTIONS).toBe(
      '--max-old-space-size=400 --enable-source-maps',
    );
  });
});
