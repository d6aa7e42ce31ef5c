import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Applier, type ApplierOptions } from './applier.ts';

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  granularities: ['day'],
  measures: { jobs: count() },
});
const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' });

function codeOf(options: Partial<ApplierOptions>): string | undefined {
  try {
    new Applier({ client, table: 'aggregates', rollups: [jobs], ...options } as ApplierOptions);
    return undefined;
  } catch (e) {
    return e instanceof DynotallyError ? `${e.code}: ${e.message}` : String(e);
  }
}

describe('Applier options from untyped callers (plain JavaScript, environment variables)', () => {
  it('accepts every documented mode and strategy', () => {
    for (const mode of ['exactly-once', 'at-least-once'] as const) expect(codeOf({ mode })).toBeUndefined();
    for (const strategy of ['row-watermark', 'transaction'] as const)
      expect(codeOf({ strategy })).toBeUndefined();
    expect(codeOf({ concurrency: 1 })).toBeUndefined();
    for (const stateBudgetBytes of [0, 4096, 300_000]) expect(codeOf({ stateBudgetBytes })).toBeUndefined();
  });

  it('refuses a misspelt mode rather than silently counting at least once', () => {
    expect(codeOf({ mode: 'exactly_once' as never })).toBe(
      `CONFIG_INVALID: mode is "exactly_once": expected 'exactly-once' (the default) or 'at-least-once'`,
    );
    expect(codeOf({ strategy: 'transactions' as never })).toMatch(
      /^CONFIG_INVALID: strategy is "transactions"/,
    );
    expect(codeOf({ concurrency: 0 })).toMatch(/^CONFIG_INVALID: concurrency is 0: expected a whole number/);
    expect(codeOf({ concurrency: 2.5 })).toMatch(/^CONFIG_INVALID: concurrency is 2.5/);
  });

  it('refuses a state budget that is not a whole number of bytes well below the 400 KB item limit', () => {
    for (const stateBudgetBytes of [-1, 1.5, 400_000, Number.POSITIVE_INFINITY, '4096' as never])
      expect(codeOf({ stateBudgetBytes })).toMatch(
        /^CONFIG_INVALID: stateBudgetBytes is .*: expected a whole number of bytes from 0 to 300000/,
      );
  });
});
