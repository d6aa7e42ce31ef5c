// Review s19 (backfill beside the stream, DynamoDB limits at run time): a scan claim of a rollup with a callback
// keeps the whole source item in its `img` map attribute, one level of nesting deeper than the item itself.
// DynamoDB allows 32 levels of nesting in an item (DynamoDB Local: a top-level attribute 31 maps deep is accepted,
// 32 refused with ValidationException "Nesting Levels have exceeded supported limits"). A source item with an
// attribute nested 31 maps deep is legal and is claimed by the scan: the claim goes out as a PartiQL INSERT, which
// DynamoDB Local accepts at 32 levels (whether DynamoDB does is not documented). When the stream then changes that
// item, `decideItem` converts the scan claim (adds `lseq`, `lfirst`) and `putClaim` rewrites the whole claim, image
// included, with a conditional PutItem: refused for its nesting. The stream side's apply fails, on every delivery
// of the batch: a Lambda retries it and finally gives it to its on-failure destination (lost for every rollup the
// batch feeds, the serving version's included); the worker retries and bisects it, and its dead-letter step
// settles the record's claims first (`deadLetterProbe`, the same PutItem) and is retried for as long as it fails,
// holding the shard (worker/batch-processor.ts `skip`; read, not run here). The scan's own PutItem
// fallback (a claim statement throttled 6 rounds, or a request refused as a whole) writes the same item.
// `spillClaim` moves an image out of a claim only for its size.
// Observed: the stream side's apply rejects with ValidationException "Nesting Levels have exceeded supported
// limits …" (from putClaim), a second delivery the same; the counts stay as the backfill left them (3 of kind k).
// Expected: the MODIFY (kind k → j) is applied: 2 items of kind k, 1 of kind j.
// Fixed (session 19): `spillClaim` also spills a scan claim whose image would nest past DynamoDB's 32 levels inside
// `img` (`imageNestsInClaim`, backfill/image-nesting.ts; the limit is `DYNAMO_LIMITS.nestingLevels`), in every claim
// write (the scan's INSERTs and PutItem fallback, the stream's conversion, the worker's dead-letter probe: all go
// through `spillClaim`), so the converted claim holds a digest, never the image; pinned purely in
// image-nesting.test.ts. This was the review's it.fails.
// Suggested fix: in `spillClaim`, spill a claim whose image inside `img` would pass DynamoDB's 32 levels the way a
// claim past 400 KB is spilled (digest in the claim, the deflated encoding in parts: bytes, no nesting), or
// convert a scan claim with an UpdateItem that SETs only `lseq` and `lfirst` (conditioned as now) instead of
// rewriting the image; a pure test of `spillClaim` on a 31-level image would pin it.
import {
  type AttributeValue,
  DeleteItemCommand,
  ExecuteStatementCommand,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { insertClaimStatement } from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { claimFromItem, claimKey, claimToItem } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { testClients } from '../support/ddb.ts';
import {
  backfillThreeKinds,
  deliverKindChangeTwice,
  kindCount as kindCountOf,
  kindItem,
} from './kind-items.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** A map attribute `levels` maps deep (DynamoDB accepts 31 below a top-level attribute, refuses 32). */
const nested = (levels: number): AttributeValue =>
  levels === 0 ? { S: 'leaf' } : { M: { a: nested(levels - 1) } };

const kindCount = (table: string, kind: string) => kindCountOf(clients.ddb, table, kind);

/**
 * Backfills three items of kind k (item 1 nested 31 levels deep), with item 1's claim as an earlier release wrote it
 * when `legacyClaim` (the image whole in `img`, 32 levels: a PartiQL INSERT, which DynamoDB Local accepts), then
 * moves item 1 to kind j through the stream side, delivering the batch twice.
 */
async function backfillThenModify(prefix: string, legacyClaim: boolean) {
  const deep = { deep: nested(31) };
  const { t, report } = await backfillThreeKinds(clients.ddb, prefix, deep);
  expect(report.complete).toBe(true);
  expect(await kindCount(t.table, 'k')).toBe('3');
  if (legacyClaim) {
    const pk = claimKey(await claimsPrefixOf(clients.ddb, t.table, 'kinds', 1), { id: { S: 'k-1' } });
    const stored = claimFromItem(
      (await clients.ddb.send(new GetItemCommand({ TableName: t.claimTable, Key: { pk: { S: pk } } }))).Item,
    );
    if (stored?.by !== 'scan') throw new Error('item 1 has no scan claim');
    const legacy = claimToItem(
      pk,
      {
        by: 'scan',
        segment: stored.segment,
        chunk: stored.chunk,
        image: kindItem(1, 'k', deep) as never,
        live: undefined,
      },
      Math.floor(Date.now() / 1000) + 86_400,
    );
    await clients.ddb.send(new DeleteItemCommand({ TableName: t.claimTable, Key: { pk: { S: pk } } }));
    await clients.ddb.send(new ExecuteStatementCommand(insertClaimStatement(t.claimTable, legacy)));
  }
  // item 1 moves from kind k to kind j (its MODIFY comes within the claim window: through its scan claim)
  // a batch refused is delivered again: the second attempt is refused the same way
  await deliverKindChangeTwice(clients.ddb, t, deep);
  expect({ k: await kindCount(t.table, 'k'), j: await kindCount(t.table, 'j') }).toEqual({
    k: '2',
    j: '1',
  });
  // the converted claim holds the image's digest: the claim item itself is a few levels deep
  const claim = (
    await clients.ddb.send(
      new GetItemCommand({
        TableName: t.claimTable,
        Key: {
          pk: { S: claimKey(await claimsPrefixOf(clients.ddb, t.table, 'kinds', 1), { id: { S: 'k-1' } }) },
        },
      }),
    )
  ).Item;
  expect(claim?.img).toBeUndefined();
  expect(claim?.lseq?.S).toBeDefined();
}

describe('a rollup with a callback backfilled over an item nested 31 levels deep, then the item changes', () => {
  it('applies the change through the scan claim', async () => {
    await backfillThenModify('s19-nested', false);
  });

  it('applies it through a claim an earlier release wrote with the image whole (32 levels)', async () => {
    await backfillThenModify('s19-nested-legacy', true);
  });
});
