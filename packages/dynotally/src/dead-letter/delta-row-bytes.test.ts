import { describe, expect, it } from 'vitest';
import { rowBytesBound } from '../apply/transaction-bytes.ts';
import { DEFAULT_STATE_BUDGET_BYTES } from '../apply/transactional-rows.ts';
import { count, defineRollup } from '../definition/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { deltaRollupsByName, deltaRowBytes } from './delta-row-bytes.ts';

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  time: { attribute: 't', format: 'epoch-seconds' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});
const given = new Map([['jobs', jobs.compiled]]);
const widest = Math.max(
  ...jobs.compiled.rows.map((k) => rowBytesBound(jobs.compiled, k, DEFAULT_STATE_BUDGET_BYTES)),
);

describe('deltaRowBytes', () => {
  it("counts a row of a given rollup (or of one of its versions) at its rollup's bound and what it carries", () => {
    const row = { pk: 'jobs#sc-1', sk: 'D2026-11-22', adds: [['n', '3']] as const };
    const bytes = deltaRowBytes(row, given);
    expect(bytes).toBeGreaterThan(widest);
    expect(bytes).toBeLessThan(widest + 200);
    expect(deltaRowBytes({ ...row, pk: 'jobs.v2#sc-1' }, given)).toBe(bytes + 3); // its key 3 bytes longer
  });

  it('counts a row of a rollup not given, or a key naming none, at 400 KB, and nothing above it', () => {
    expect(deltaRowBytes({ pk: 'other#sx', sk: 'ALL', adds: [['n', '1']] }, given)).toBe(
      DYNAMO_LIMITS.itemBytes,
    );
    expect(deltaRowBytes({ pk: 'jobs.vx#sx', sk: 'ALL', adds: [] }, given)).toBe(DYNAMO_LIMITS.itemBytes);
    const many = Array.from({ length: 30_000 }, (_, i) => [`attribute_${i}`, '1'] as const);
    expect(deltaRowBytes({ pk: 'jobs#sc-1', sk: 'ALL', adds: many }, given)).toBe(DYNAMO_LIMITS.itemBytes);
  });

  it("keeps the widest of a name's definitions (versions of one rollup), in any order", () => {
    const allTime = defineRollup({
      name: 'jobs',
      groupBy: 'customerId',
      time: { attribute: 't', format: 'epoch-seconds' },
      granularities: ['all'],
      measures: { n: count() },
    });
    for (const order of [
      [jobs.compiled, allTime.compiled],
      [allTime.compiled, jobs.compiled],
    ])
      expect(deltaRollupsByName(order).get('jobs')).toBe(jobs.compiled);
  });
});
