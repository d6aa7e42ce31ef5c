// Review of DynamoDB limits (partition key ≤ 2,048 bytes, item ≤ 400 KB) in the backfill hand-off's claim table.
//
// 1. claimKey (backfill/claim-item.ts) is `<rollup>#<JSON of the source item's key attributes>`: name, type and
//    value of the partition key (DynamoDB allows 2,048 bytes) and of the sort key (1,024 bytes), binary values in
//    base64 (4/3 the bytes), quotes and control characters escaped. A source item whose key attributes total
//    about 2,000 bytes or more has a claim key past the claim table's 2,048-byte partition key: readClaims'
//    BatchGetItem is refused whole (ValidationException, every key of the chunk), on the stream side
//    (claimRecords, each delivery of a batch holding such a record while a version is under backfill: the shard
//    is blocked) and in the backfill (runBackfill reads a chunk's claims the same way: the backfill never ends).
//    Fixed: a claim key past 2,048 bytes is `<rollup>#sha256:<hash of the key JSON>` (MAX_CLAIM_KEY_BYTES); the
//    tests below claim such items on the stream side and in a backfill, which must see each other's claims.
// 2. A scan claim stores the item's image (projected to the rollup's reads; the whole item when a callback may
//    read anything). An item near 400 KB makes a claim item past 400 KB: putNewClaims' INSERT and its PutItem
//    fallback are refused (ValidationException) on every run of the backfill.
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { putNewClaims } from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { claimKey } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { claimRecords } from '../../packages/dynotally/src/backfill/claim-records.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import {
  createAggregateTable,
  createClaimTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { allTimeCounts } from '../support/all-time-counts.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';

describe('claim keys of source items with long keys', () => {
  // a legal source key: a 1,200-byte partition key and a 900-byte sort key (DynamoDB allows 2,048 and 1,024)
  const keys = { pk: { S: 'p'.repeat(1200) }, sk: { S: 's'.repeat(900) } };

  it('the claim key of such an item is within 2,048 bytes', () => {
    expect(Buffer.byteLength(claimKey('kinds', keys))).toBeLessThanOrEqual(2048);
  });

  // failed before the fix: ValidationException (the claim key passes 2,048 bytes) from readClaims' BatchGetItem,
  // on every delivery
  it('the stream side claims a record of such an item', async () => {
    const claims = uniqueTableName('review-claim-key');
    await createClaimTable(clients.ddb, claims);
    const record = {
      eventID: 'e1',
      eventName: 'INSERT' as const,
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM,
      dynamodb: {
        Keys: keys,
        NewImage: { ...keys, kind: { S: 'a' }, t: { N: '1763800000000' } },
        SequenceNumber: '1001',
        ApproximateCreationDateTime: 1_763_800_000,
        StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
      },
    };
    const out = await claimRecords(
      clients.ddb,
      claims,
      { prefix: 'kinds', reads: ['kind', 't'], windowEndMs: undefined },
      [record],
      { ttlSeconds: Math.floor(Date.now() / 1000) + 3600 },
    );
    expect(out).toHaveLength(1);
  });
});

describe('claims of long-key items, between the stream side and a backfill', () => {
  // failed before the fix: ValidationException from the stream side's first delivery (the claim key passes 2,048
  // bytes). Counts are exact only if each side finds the other's claims: a backfill missing a's stream claim
  // would count a twice (s-1: 3); a stream side missing b's scan claim would count b's change as new (s-2: 1)
  it('each side finds the claims the other wrote, and every item counts once', async () => {
    const ddb = clients.ddb;
    const source = uniqueTableName('review-ck-src');
    const table = uniqueTableName('review-ck-agg');
    const claims = uniqueTableName('review-ck-claims');
    await Promise.all([
      createSourceTable(ddb, source, { pk: 'S', sk: 'S' }),
      createAggregateTable(ddb, table),
      createClaimTable(ddb, claims),
    ]);
    await registerVersions(ddb, table, [storeCountRollup.compiled], { firstVersion: 'building' });
    const side = createVersionedWriteSide({
      client: ddb,
      table,
      claimTable: claims,
      rollups: [storeCountRollup],
      claimMarginMs: 60_000,
    });
    const T = String(Date.UTC(2026, 10, 1));
    const longKey = (id: string) => ({ pk: { S: `${id}${'p'.repeat(1200)}` }, sk: { S: 's'.repeat(900) } });
    type Item = Record<string, AttributeValue>;
    const a: Item = { ...longKey('a'), storeId: { S: 's-1' }, t: { N: T } };
    const b: Item = { ...longKey('b'), storeId: { S: 's-2' }, t: { N: T } };
    const bMoved: Item = { ...b, storeId: { S: 's-3' } };
    const c: Item = { pk: { S: 'c' }, sk: { S: 'c' }, storeId: { S: 's-1' }, t: { N: T } };
    for (const Item of [a, b, c]) await ddb.send(new PutItemCommand({ TableName: source, Item }));
    let seq = 1000;
    const record = (keys: Item, oldImage: Item | undefined, newImage: Item): DynamoDBRecord => ({
      eventID: `e${++seq}`,
      eventName: oldImage === undefined ? 'INSERT' : 'MODIFY',
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM,
      dynamodb: {
        Keys: keys as never,
        ...(oldImage ? { OldImage: oldImage as never } : {}),
        NewImage: newImage as never,
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });

    // a reaches the stream side first: claimed live, counted from its new image
    await side.apply({ records: [record(longKey('a'), undefined, a)], shardId: 'shardId-1' });
    const report = await runBackfill({
      client: ddb,
      source,
      table,
      claimTable: claims,
      rollup: storeCountRollup,
      segments: 1,
      settleMs: 0,
    });
    expect(report.complete).toBe(true);
    expect(report.progress).toMatchObject({ scanned: 3, folded: 2, claimedLive: 1, nonMembers: 0 });
    // b was claimed by the scan: its move from s-2 to s-3 subtracts the image the scan counted
    await ddb.send(new PutItemCommand({ TableName: source, Item: bMoved }));
    await side.apply({ records: [record(longKey('b'), b, bMoved)], shardId: 'shardId-1' });

    expect(await allTimeCounts(ddb, table, 'store', 'n')).toEqual(
      new Map([
        ['s-1', 2],
        ['s-3', 1],
      ]),
    );
  });
});

describe('scan claims of large items', () => {
  // fails: ValidationException (item size has exceeded the maximum allowed size) from the INSERT and then from the
  // PutItem fallback, on every run; fix: store a hash of the projected image in the claim, not the image (the
  // stream side only compares images), or dead-letter/skip items whose claim would not fit
  it.fails('a claim holding the image of a source item just under 400 KB is written', async () => {
    const claims = uniqueTableName('review-claim-big');
    await createClaimTable(clients.ddb, claims);
    // the source item: {id, kind, t, payload}, 10 bytes under 400 KB; a rollup with a callback (reads undefined)
    // keeps it whole in the claim, beside the claim's own pk, by, seg, chunk and ttl
    const image = {
      id: { S: 'item-1' },
      kind: { S: 'a' },
      t: { N: '1763800000000' },
      payload: { S: 'x'.repeat(400 * 1024 - 35) }, // the item: 409,590 bytes; its claim: about 409,650
    };
    const pk = claimKey('kinds', { id: { S: 'item-1' } });
    const [outcome] = await putNewClaims(
      clients.ddb,
      claims,
      [{ pk, claim: { by: 'scan', segment: 0, chunk: 0, image, live: undefined } }],
      Math.floor(Date.now() / 1000) + 3600,
    );
    expect(outcome?.written).toBe(true);
  });
});
