// Review s19b (backfill beside the stream, the 32-level check of scan claims): `nestingLevels`
// (backfill/image-nesting.ts) counts an empty map or list as 1 level, like a scalar. DynamoDB (Local, measured
// here with PutItem) counts it as a scalar *inside* a collection: a top-level attribute of 31 maps around a string
// is accepted and 32 refused, but 31 maps around an empty map `{}` (or 30 around an empty list) are refused too —
// an empty map or list is 2 levels, like `{ a: 'x' }`; a set is 1, like a string. So a source item with an
// attribute of 30 maps around `{}` (31 maps: DynamoDB accepts it) has `nestingLevels` 31, and
// `imageNestsInClaim` says its image fits in a claim's `img` (31 + 1 ≤ 32); inside `img` it is 32 maps, which
// DynamoDB refuses. `spillClaim` keeps it whole, and every PutItem of the claim is refused: the stream side's
// conversion of the scan claim (add `lseq`, `lfirst`) fails with "Nesting Levels have exceeded supported limits"
// on every delivery of the batch — the failure session 19 fixed for 31 maps around a scalar, left for an item
// whose deepest value is an empty map or list (an empty `{}` or `[]` at the bottom of a deep document is common:
// a JSON document stored as a map).
// Scenario: rollup `kinds` (a callback: claims keep the whole item), three items of kind k, item 1 with
// `deep` = 30 maps around an empty map; backfill, then item 1 moves to kind j through the versioned write side,
// the batch delivered twice.
// Observed: the write side's apply rejects with ValidationException "Nesting Levels have exceeded supported
// limits" (from putClaim's conversion of the scan claim), on the second delivery too; the counts stay k 3, j 0.
// Expected: the MODIFY is applied: k 2, j 1 (as for 30 maps around a string, and for 31 maps around a string since
// session 19).
// Fixed (session 19): `nestingLevels` counts an empty map or list as 2 levels (backfill/image-nesting.ts); this was
// the review's it.fails.
// Suggested fix: in `nestingLevels`, count a map or list as one more than its deepest value *or than a scalar*:
// `return Math.max(deepest, 1) + 1` (an empty one is 2); pin `nestingLevels({ M: {} }) === 2`,
// `nestingLevels({ L: [] }) === 2` and `imageNestsInClaim` false for 30 maps around `{}` in image-nesting.test.ts.
import {
  type AttributeValue,
  CreateTableCommand,
  PutItemCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { imageNestsInClaim } from '../../packages/dynotally/src/backfill/image-nesting.ts';
import type { Image } from '../../packages/dynotally/src/decode/index.ts';
import { testClients } from '../support/ddb.ts';
import { backfillThreeKinds, deliverKindChangeTwice, kindCount as kindCountOf } from './kind-items.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** `maps` maps around `leaf`. */
const wrap = (maps: number, leaf: AttributeValue): AttributeValue =>
  maps === 0 ? leaf : { M: { a: wrap(maps - 1, leaf) } };

const kindCount = (table: string, kind: string) => kindCountOf(clients.ddb, table, kind);

/** Whether DynamoDB (Local) accepts an item holding `value` as one top-level attribute. */
async function accepts(value: AttributeValue): Promise<boolean> {
  try {
    await clients.ddb.send(
      new CreateTableCommand({
        TableName: 's19b-nesting-probe',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  try {
    await clients.ddb.send(
      new PutItemCommand({ TableName: 's19b-nesting-probe', Item: { id: { S: 'p' }, v: value } }),
    );
    return true;
  } catch {
    return false;
  }
}

describe('a scan claim of an item whose deepest value is an empty map', () => {
  it('spills an image DynamoDB refuses inside the claim (the check agrees with the store)', async () => {
    const deep = wrap(30, { M: {} });
    // DynamoDB takes the item, and refuses the same value one map deeper (as it sits in a claim's `img`)
    expect(await accepts(deep)).toBe(true);
    expect(await accepts({ M: { deep } })).toBe(false);
    expect(imageNestsInClaim({ id: { S: 'k-1' }, deep } as Image)).toBe(false);
  });

  it('applies a change of the item through its scan claim', async () => {
    const deep = { deep: wrap(30, { M: {} }) };
    const { t, report } = await backfillThreeKinds(clients.ddb, 's19b-empty-nesting', deep);
    expect(report.complete).toBe(true);
    expect(await kindCount(t.table, 'k')).toBe('3');
    // a batch refused is delivered again
    await deliverKindChangeTwice(clients.ddb, t, deep);
    expect({ k: await kindCount(t.table, 'k'), j: await kindCount(t.table, 'j') }).toEqual({
      k: '2',
      j: '1',
    });
  });
});
