import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { Applier } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { MAX_RECORD_AGE_ENV, redeliveryFromEnv } from './deploy-env.ts';
import { createStreamHandler } from './index.ts';
import { lineageFor } from './lineage-for-handler.ts';

const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const applier = (options: Partial<ConstructorParameters<typeof Applier>[0]> = {}) =>
  new Applier({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    table: 'aggregates',
    rollups: [rollup],
    ...options,
  });

describe('the maximum record age a deployment puts in the environment', () => {
  afterEach(() => {
    delete process.env[MAX_RECORD_AGE_ENV];
  });

  it('reads whole seconds, -1 for none, and nothing when unset', () => {
    expect(MAX_RECORD_AGE_ENV).toBe('DYNOTALLY_MAX_RECORD_AGE_SECONDS');
    expect(redeliveryFromEnv({ [MAX_RECORD_AGE_ENV]: '3600' })).toEqual({ maxRecordAgeSeconds: 3600 });
    expect(redeliveryFromEnv({ [MAX_RECORD_AGE_ENV]: ' -1 ' })).toEqual({ maxRecordAgeSeconds: -1 });
    expect(redeliveryFromEnv({})).toBeUndefined();
    expect(redeliveryFromEnv({ [MAX_RECORD_AGE_ENV]: '' })).toBeUndefined();
    for (const bad of ['1h', '3600.5', 'abc']) {
      let code: string | undefined;
      try {
        redeliveryFromEnv({ [MAX_RECORD_AGE_ENV]: bad });
      } catch (e) {
        code = isDynotallyError(e) ? e.code : String(e);
      }
      expect(code, bad).toBe('CONFIG_INVALID');
    }
  });

  it('the handler fails at creation on a value the horizon refuses, and uses a valid one', () => {
    process.env[MAX_RECORD_AGE_ENV] = '0';
    expect(() => createStreamHandler({ rollups: [rollup], table: 'aggregates', logger: silent })).toThrow(
      /MaximumRecordAgeInSeconds/,
    );
    process.env[MAX_RECORD_AGE_ENV] = '7200';
    expect(() =>
      createStreamHandler({ rollups: [rollup], table: 'aggregates', logger: silent }),
    ).not.toThrow();
    // an explicit option wins over the environment
    process.env[MAX_RECORD_AGE_ENV] = '0';
    expect(() =>
      createStreamHandler({
        rollups: [rollup],
        table: 'aggregates',
        logger: silent,
        redelivery: { maxRecordAgeSeconds: 600 },
      }),
    ).not.toThrow();
  });
});

describe('lineageFor: whether the handler looks its shard lineage up', () => {
  it('only where row states exist and it is not turned off', () => {
    expect(lineageFor({}, applier(), silent)).toBeDefined();
    expect(lineageFor({ lineage: {} }, applier({ strategy: 'row-watermark' }), silent)).toBeDefined();
    expect(lineageFor({ lineage: false }, applier(), silent)).toBeUndefined();
    expect(lineageFor({}, applier({ mode: 'at-least-once' }), silent)).toBeUndefined();
    expect(lineageFor({}, applier({ strategy: 'transaction' }), silent)).toBeUndefined();
    // a ready write side that is not an Applier may pass the names on (a versioned write side does)
    const side = { rollups: applier().rollups, apply: applier().apply };
    expect(lineageFor({}, side, silent)).toBeDefined();
  });

  it('refuses a negative or non-numeric wait', () => {
    expect(() => lineageFor({ lineage: { pruneAncestorsAfterMs: -1 } }, applier(), silent)).toThrow(
      /lineage.pruneAncestorsAfterMs/,
    );
    expect(() => lineageFor({ lineage: { refreshAfterMs: Number.NaN } }, applier(), silent)).toThrow(
      /lineage.refreshAfterMs/,
    );
  });
});
