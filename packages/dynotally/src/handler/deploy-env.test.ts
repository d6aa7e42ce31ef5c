import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { Applier } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { streamHandlerIn } from './create-stream-handler.ts';
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
    // an explicit option wins over an invalid environment value (a valid one it may not undercut: below)
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

describe('an explicit redelivery horizon beside the deployed one', () => {
  const make =
    (env: Record<string, string>, redelivery: { maxRecordAgeSeconds: number }, given = false) =>
    () =>
      streamHandlerIn(
        given
          ? { applier: applier({ redelivery }), logger: silent }
          : {
              client: applier().options.client,
              rollups: [rollup],
              table: 'aggregates',
              logger: silent,
              redelivery,
            },
        env,
      );
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return isDynotallyError(e) ? `${e.code}: ${e.message}` : String(e);
    }
    return 'made';
  };

  it('is refused when shorter, naming both values, for the built-in applier and a given Applier', () => {
    const deployed = { [MAX_RECORD_AGE_ENV]: '86400' };
    expect(message(make(deployed, { maxRecordAgeSeconds: 3600 }))).toMatch(
      /^CONFIG_INVALID: .*redelivery\.maxRecordAgeSeconds is 3600, shorter than .*DYNOTALLY_MAX_RECORD_AGE_SECONDS=86400/,
    );
    expect(message(make(deployed, { maxRecordAgeSeconds: 3600 }, true))).toMatch(/^CONFIG_INVALID/);
    // a mapping without a limit (-1) delivers for the stream's 24 h
    expect(message(make({ [MAX_RECORD_AGE_ENV]: '-1' }, { maxRecordAgeSeconds: 3600 }))).toMatch(
      /^CONFIG_INVALID: .*give at least 86400/,
    );
  });

  it('is taken when equal or longer (above 24 h is the same as none), or when the environment has none', () => {
    const deployed = { [MAX_RECORD_AGE_ENV]: '3600' };
    expect(message(make(deployed, { maxRecordAgeSeconds: 3600 }))).toBe('made');
    expect(message(make(deployed, { maxRecordAgeSeconds: -1 }))).toBe('made');
    expect(message(make({ [MAX_RECORD_AGE_ENV]: '-1' }, { maxRecordAgeSeconds: 100_000 }))).toBe('made');
    expect(message(make({}, { maxRecordAgeSeconds: 60 }))).toBe('made');
    expect(message(make({ [MAX_RECORD_AGE_ENV]: 'abc' }, { maxRecordAgeSeconds: 60 }))).toBe('made');
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
