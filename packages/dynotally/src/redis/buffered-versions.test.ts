// The Redis buffer's rule for rollup versions (it writes version-1 rows only): which control items it may buffer
// under, and the refusal's mark. In process, no I/O (test/redis/buffered-versions.int.test.ts runs it on a table).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/error-of.ts';
import { storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem } from '../versions/index.ts';
import { createBufferedApplier } from './buffered-applier.ts';
import { bufferedVersionProblem, isBufferedVersionRefusal } from './buffered-versions.ts';

describe('bufferedVersionProblem', () => {
  const fp = storeCountRollup.compiled.fingerprint;
  const entry = (version: number, state: 'building' | 'ready' | 'serving' | 'retired', fingerprint = fp) => ({
    version,
    fingerprint,
    state,
    registeredAt: 0,
    needsBackfill: state === 'building',
  });
  const control = (serving: number | undefined, versions: ReturnType<typeof entry>[]) =>
    ({ rollup: 'store', next: versions.length + 1, serving, versions }) as unknown as ControlItem;

  it('lets the buffer write a rollup without a control item, or whose version 1 serves the configured definition', () => {
    expect(bufferedVersionProblem(storeCountRollup, undefined)).toBeUndefined();
    expect(bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving')]))).toBeUndefined();
    expect(
      bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving'), entry(2, 'retired', 'x')])),
    ).toBeUndefined();
  });

  it('names the rollup when another version serves, none does, one is being built, or the definition changed', () => {
    expect(
      bufferedVersionProblem(storeCountRollup, control(2, [entry(1, 'retired'), entry(2, 'serving', 'x')])),
    ).toMatch(/^rollup 'store' serves version 2, and the Redis buffer writes version 1 only$/);
    expect(bufferedVersionProblem(storeCountRollup, control(undefined, [entry(1, 'building')]))).toMatch(
      /^rollup 'store' has no serving version yet/,
    );
    expect(
      bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving', 'x'), entry(2, 'building')])),
    ).toMatch(/definition of rollup 'store' is not the one version 1 was registered with/);
    expect(
      bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving'), entry(2, 'ready', 'x')])),
    ).toMatch(/^version 2 of rollup 'store' is being built/);
  });
});

describe("bufferedVersionProblem with otherVersions: 'written-elsewhere'", () => {
  const fp = storeCountRollup.compiled.fingerprint;
  const entry = (version: number, state: 'building' | 'ready' | 'serving' | 'retired', fingerprint = fp) => ({
    version,
    fingerprint,
    state,
    registeredAt: 0,
    needsBackfill: state === 'building',
  });
  const control = (serving: number | undefined, versions: ReturnType<typeof entry>[]) =>
    ({ rollup: 'store', next: versions.length + 1, serving, versions }) as unknown as ControlItem;
  const elsewhere = (c: ControlItem | undefined) =>
    bufferedVersionProblem(storeCountRollup, c, 'written-elsewhere');

  it('buffers version 1 beside a version another process builds or serves', () => {
    expect(elsewhere(undefined)).toBeUndefined();
    expect(elsewhere(control(1, [entry(1, 'serving'), entry(2, 'building', 'x')]))).toBeUndefined();
    expect(elsewhere(control(2, [entry(1, 'retired'), entry(2, 'serving', 'x')]))).toBeUndefined();
  });

  it('still refuses version 1 of another definition, or version 1 under backfill', () => {
    expect(elsewhere(control(1, [entry(1, 'serving', 'x'), entry(2, 'building')]))).toMatch(
      /definition of rollup 'store' is not the one version 1 was registered with/,
    );
    expect(elsewhere(control(undefined, [entry(1, 'building')]))).toMatch(
      /^version 1 of rollup 'store' is being built/,
    );
    expect(elsewhere(control(undefined, [entry(1, 'ready')]))).toMatch(
      /^version 1 of rollup 'store' is being built/,
    );
  });
});

describe('isBufferedVersionRefusal', () => {
  it("tells the buffer's version refusal from another CONFIG_INVALID", () => {
    const refusal = new DynotallyError('CONFIG_INVALID', 'x', { details: { refusal: 'buffered-versions' } });
    expect(isBufferedVersionRefusal(refusal)).toBe(true);
    expect(
      isBufferedVersionRefusal(new DynotallyError('CONFIG_INVALID', 'another buffer owns the table')),
    ).toBe(false);
    expect(isBufferedVersionRefusal(new Error('x'))).toBe(false);
  });
});

describe('createBufferedApplier otherVersions', () => {
  it('refuses a value it does not know when it is made, not by refusing every batch', () => {
    const e = errorOf(() =>
      createBufferedApplier({
        redis: {} as Redis,
        client: {} as DynamoDBClient,
        table: 'aggregates',
        rollups: [storeCountRollup],
        otherVersions: 'elsewhere' as never,
      }),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`otherVersions must be 'refuse' or 'written-elsewhere' (got "elsewhere")`);
  });
});
