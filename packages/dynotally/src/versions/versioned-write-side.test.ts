import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { isDynotallyError } from '../errors/index.ts';
import { createVersionedWriteSide } from './versioned-write-side.ts';

const rollup = storeCountRollup;
const base = { client: {} as DynamoDBClient, table: 'aggregates', claimTable: 'claims', rollups: [rollup] };
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
};

// A backfill may end 28 days after its version's registration; its claims must outlive the stream's use of them:
// the backfill's end + claimMarginMs + the stream's 24 h retention (docs/backfill.md, "Claims and time").
describe('the claim lifetime options of a versioned write side', () => {
  it('refuses claims that live less than 30 days', () => {
    expect(codeOf(() => createVersionedWriteSide({ ...base, claimTtlMs: 29 * 86_400_000 }))).toBe(
      'CONFIG_INVALID',
    );
    expect(codeOf(() => createVersionedWriteSide({ ...base, claimTtlMs: 30 * 86_400_000 }))).toBeUndefined();
  });

  it('refuses a claim margin over 12 hours', () => {
    expect(codeOf(() => createVersionedWriteSide({ ...base, claimMarginMs: 12 * 3_600_000 + 1 }))).toBe(
      'CONFIG_INVALID',
    );
    expect(
      codeOf(() => createVersionedWriteSide({ ...base, claimMarginMs: 12 * 3_600_000 })),
    ).toBeUndefined();
  });
});
