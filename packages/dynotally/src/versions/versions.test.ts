import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { foldBatch } from '../fold/index.ts';
import { planWrites } from '../plan/index.ts';
import { parseControl } from './control-item.ts';
import { holdParams, promoteParams, registerVersionParams } from './control-params.ts';
import { versionOf } from './control-store.ts';
import { asVersion, versionKeyPrefix } from './version-prefix.ts';

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { jobs: count() },
});
const record = {
  eventID: '1',
  eventName: 'INSERT' as const,
  eventSourceARN: 'arn:s',
  dynamodb: {
    NewImage: { customerId: { S: 'c#1' }, t: { N: String(Date.UTC(2026, 10, 22)) } },
    SequenceNumber: '1',
    ApproximateCreationDateTime: 1,
  },
};
const pkOf = (c: typeof jobs.compiled) =>
  planWrites(foldBatch([c], [record]).coalescer, { now: Date.UTC(2026, 10, 22) }).rows[0]?.pk;

describe('versions', () => {
  it('version 1 keeps the existing keys; later versions get their own injective prefix', () => {
    expect(pkOf(asVersion(jobs.compiled, 1))).toBe('jobs#sc%231');
    expect(pkOf(asVersion(jobs.compiled, 2))).toBe('jobs.v2#sc%231');
    expect(versionKeyPrefix('jobs', 12)).toBe('jobs.v12');
  });

  it('registration is conditioned on the fingerprint being new and next unchanged', () => {
    const p = registerVersionParams('agg', 'jobs', {
      fingerprint: 'ab',
      version: 2,
      expectedNext: 2,
      state: 'building',
      needsBackfill: true,
      now: 5,
    });
    expect(p.ConditionExpression).toBe('attribute_not_exists(#fp) AND #next = :expected');
    expect(p.ExpressionAttributeNames).toMatchObject({ '#v': 'v2', '#fp': 'fp_ab' });
    const first = registerVersionParams('agg', 'jobs', {
      fingerprint: 'aa',
      version: 1,
      expectedNext: undefined,
      state: 'serving',
      needsBackfill: false,
      now: 5,
    });
    expect(first.UpdateExpression).toContain('#serving = :n');
    expect(first.ConditionExpression).toBe('attribute_not_exists(#fp) AND attribute_not_exists(#next)');
  });

  it('promotion retires the previous version in the same write, only from ready unless forced', () => {
    const p = promoteParams('agg', 'jobs', { version: 2, previous: 1, force: false, now: 9 });
    expect(p.UpdateExpression).toBe(
      'SET #serving = :n, #v.#state = :serving, #v.promotedAt = :now, #p.#state = :retired, #p.retiredAt = :now',
    );
    expect(p.ConditionExpression).toBe(
      '#v.#state = :ready AND attribute_not_exists(#v.#hold) AND #serving = :prev',
    );
    const forced = promoteParams('agg', 'jobs', { version: 2, previous: 1, force: true, now: 9 });
    expect(forced.ConditionExpression).toBe('#v.#state IN (:ready, :building) AND #serving = :prev');
  });

  it("a repair's hold is a map in the version's entry, written only on a ready version, and parsed back", () => {
    const p = holdParams('agg', 'jobs', { version: 2, storeRefused: 3, now: 9 });
    expect(p.UpdateExpression).toBe('SET #v.#hold = :hold');
    expect(p.ConditionExpression).toBe('#v.#state = :ready');
    expect(p.ExpressionAttributeValues?.[':hold']).toEqual({
      M: { storeRefused: { N: '3' }, at: { N: '9' } },
    });
    const entry = (hold?: AttributeValue) =>
      parseControl('jobs', {
        v2: { M: { fp: { S: 'ab' }, state: { S: 'ready' }, ...(hold === undefined ? {} : { hold }) } },
      })?.versions[0]?.hold;
    expect(entry(p.ExpressionAttributeValues?.[':hold'])).toEqual({ storeRefused: 3, at: 9 });
    expect(entry()).toBeUndefined();
  });

  it('parses a control item', () => {
    const c = parseControl('jobs', {
      serving: { N: '1' },
      next: { N: '3' },
      v1: {
        M: {
          fp: { S: 'aa' },
          state: { S: 'serving' },
          registeredAt: { N: '1' },
          needsBackfill: { BOOL: false },
        },
      },
      v2: {
        M: {
          fp: { S: 'ab' },
          state: { S: 'ready' },
          registeredAt: { N: '2' },
          needsBackfill: { BOOL: true },
          backfill: { M: { startedAt: { N: '3' }, endedAt: { N: '4' }, segments: { N: '4' } } },
        },
      },
    });
    expect(c?.serving).toBe(1);
    expect(c?.versions.map((v) => [v.version, v.state, v.backfill?.endedAt])).toEqual([
      [1, 'serving', undefined],
      [2, 'ready', 4],
    ]);
  });

  it('a rollup without a control item is named in VERSION_UNKNOWN, which says no version of it is registered', () => {
    // `dynotally backfill orders --dry-run` after `dynotally worker` (which registers no version) said "rollup '?'"
    expect(() => versionOf(undefined, jobs.compiled.fingerprint, 'jobs')).toThrow(
      expect.objectContaining({
        code: 'VERSION_UNKNOWN',
        message: expect.stringMatching(/^rollup 'jobs' has no control item .*createVersionedWriteSide/),
      }),
    );
  });
});
