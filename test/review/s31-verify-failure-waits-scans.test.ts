// s31 review: verify's scans run through mapLimit (segmentConcurrency), which rejects with the first error only after
// the calls in flight settle. A segment's call is its whole Scan loop, so when one segment's Scan failed for good,
// verify reported it only after every other segment in flight had scanned to its end: with the default 4 segments,
// 3/4 of a consistent Scan of the source (time and read units) before the error. Before segmentConcurrency,
// Promise.all rejected at the first failure. Fixed: mapLimit tells the calls in flight that another failed, and
// the source Scan (expected-rows.ts), the stored rows' Scan and their Queries (stored-rows.ts) stop at their next
// page. Break-checked: each test fails with its loop's `failed()` check removed (900 pages read after the failure).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { expectedRows } from '../../packages/dynotally/src/verify/expected-rows.ts';
import { storedRows } from '../../packages/dynotally/src/verify/stored-rows.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

const PAGES = 300;

/** A client whose first Scan segment (or Query of pk `bad`) is refused for good; the others read PAGES pages each. */
function failingClient() {
  const seen = { otherPages: 0, failedAt: undefined as number | undefined };
  const client = {
    send: async (cmd: {
      input: { Segment?: number; ExpressionAttributeValues?: Record<string, { S?: string }> };
    }) => {
      await new Promise((r) => setTimeout(r, 1));
      const pk = cmd.input.ExpressionAttributeValues?.[':pk']?.S;
      if (cmd.input.Segment === 0 || pk === 'bad') {
        seen.failedAt = seen.otherPages;
        throw Object.assign(new Error('User is not authorized to perform: dynamodb:Scan'), {
          name: 'AccessDeniedException',
        });
      }
      seen.otherPages++;
      return {
        Items: [],
        LastEvaluatedKey: seen.otherPages < PAGES * 3 ? { pk: { S: String(seen.otherPages) } } : undefined,
      };
    },
  } as unknown as DynamoDBClient;
  // pages the others read after the failure, before the call said so
  const pagesAfter = () => seen.otherPages - (seen.failedAt ?? 0);
  return { client, pagesAfter };
}

describe('verify: one segment whose Scan fails for good', () => {
  it('fails the verify without the other segments scanning to their end', async () => {
    const { client, pagesAfter } = failingClient();
    await expect(
      expectedRows(client, 'orders', storeCountRollup.compiled, () => true, {
        segments: 4,
        nowSeconds: 1_800_000_000,
      }),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(pagesAfter()).toBeLessThan(20);
  });

  it('fails the read of the stored rows without the other segments scanning to their end', async () => {
    const { client, pagesAfter } = failingClient();
    await expect(storedRows(client, 'aggregates', 'store', { segments: 4 })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(pagesAfter()).toBeLessThan(20);
  });

  it('fails the read of named groups without the other Queries reading to their end', async () => {
    const { client, pagesAfter } = failingClient();
    await expect(
      storedRows(client, 'aggregates', 'store', { pks: ['store#ss-1', 'bad', 'store#ss-2'] }),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(pagesAfter()).toBeLessThan(20);
  });
});
