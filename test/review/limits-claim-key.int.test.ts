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
//    Fixed: the stream side only compares records' images with the claimed one, so a claim that would pass 400 KB
//    (with the lseq and lfirst a live conversion adds) holds the image's SHA-256 digest; the image itself goes in
//    parts beside the claim, written before it, because a scan resumed after a stop between its claims and its
//    rows must fold exactly the image it claimed, which the item may no longer hold. The tests below write such
//    claims, make an old-form one live, and count every interleaving of the two sides once.
import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { emptyClaimBatchStats, putNewClaims } from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { claimKey, claimToItem } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { claimRecords } from '../../packages/dynotally/src/backfill/claim-records.ts';
import {
  putImageParts,
  readClaimImage,
  readClaims,
} from '../../packages/dynotally/src/backfill/claim-store.ts';
import { imageDigest } from '../../packages/dynotally/src/backfill/image-digest.ts';
import {
  imagePartKey,
  LIVE_CLAIM_BYTES,
  spillClaim,
} from '../../packages/dynotally/src/backfill/image-parts.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/index.ts';
import type { Image } from '../../packages/dynotally/src/decode/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { allTimeCounts } from '../support/all-time-counts.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { callbackKinds } from './callback-kinds.ts';

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
  // failed before the fix: ValidationException (item size has exceeded the maximum allowed size) from the INSERT
  // and then from the PutItem fallback, on every run. Fixed: a claim that would pass 400 KB (with the fields a
  // live conversion adds) holds its image's digest, and the image goes in parts beside it, written first
  it('a claim holding the image of a source item just under 400 KB is written', async () => {
    const claims = uniqueTableName('review-claim-big');
    await createClaimTable(clients.ddb, claims);
    // the source item: {id, kind, t, payload}, 10 bytes under 400 KB; a rollup with a callback (reads undefined)
    // keeps it whole in the claim, beside the claim's own pk, by, seg, chunk and ttl
    const image = bigItem('item-1', 'a');
    expect(itemSizeBytes(image)).toBe(400 * 1024 - 10);
    const pk = claimKey('kinds', { id: { S: 'item-1' } });
    const stats = emptyClaimBatchStats();
    const [outcome] = await putNewClaims(
      clients.ddb,
      claims,
      [{ pk, claim: { by: 'scan', segment: 0, chunk: 0, image: image as Image, live: undefined } }],
      Math.floor(Date.now() / 1000) + 3600,
      { stats },
    );
    expect(outcome?.written).toBe(true);
    expect(stats.spilled).toBe(1);
    // the claim names the image by digest; its parts give the image back, byte for byte
    const stored = (await readClaims(clients.ddb, claims, [pk])).get(pk);
    expect(stored).toEqual({
      by: 'scan',
      segment: 0,
      chunk: 0,
      spill: { digest: imageDigest(image as Image), parts: 1, encoding: expect.any(String) },
      live: undefined,
    });
    if (stored?.by !== 'scan' || !('spill' in stored)) throw new Error('not a spilled scan claim');
    expect(await readClaimImage(clients.ddb, claims, pk, stored.spill)).toEqual(image);
    // a claim spilled before parts were keyed by their bytes' digest (no `ed`: parts keyed by the image's digest)
    // is read back as it was
    const old = { digest: imageDigest(image as Image), parts: 1 };
    const { parts } = spillClaim(
      pk,
      { by: 'scan', segment: 0, chunk: 0, image: image as Image, live: undefined },
      1,
    );
    await putImageParts(
      clients.ddb,
      claims,
      parts.map((p, n) => ({ ...p, pk: { S: imagePartKey(pk, old.digest, n) } })),
    );
    expect(await readClaimImage(clients.ddb, claims, pk, old)).toEqual(image);
  });

  // a claim written before images could be spilled holds its image whole: one just under 400 KB fits, but not
  // with the lseq and lfirst the stream adds when it makes the claim live (ValidationException on every delivery
  // without the spill in putClaim)
  it('the stream side makes a near-400 KB claim of the old form live', async () => {
    const claims = uniqueTableName('review-claim-old');
    await createClaimTable(clients.ddb, claims);
    const pk = claimKey('kinds', { id: { S: 'item-2' } });
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    const claimOf = (image: Item) =>
      claimToItem(pk, { by: 'scan', segment: 0, chunk: 0, image: image as Image, live: undefined }, ttl);
    // the claim item 20 bytes under 400 KB: what the claim adds to the item is measured on a small one
    const overhead = itemSizeBytes(claimOf(bigItem('item-2', 'a', 1000))) - 1000;
    const image = bigItem('item-2', 'a', 400 * 1024 - 20 - overhead);
    const old = claimOf(image);
    const size = itemSizeBytes(old);
    expect(size).toBeLessThanOrEqual(400 * 1024);
    expect(size + LIVE_CLAIM_BYTES).toBeGreaterThan(400 * 1024);
    await clients.ddb.send(new PutItemCommand({ TableName: claims, Item: old }));
    const moved = { ...image, kind: { S: 'b' } };
    const out = await claimRecords(
      clients.ddb,
      claims,
      { prefix: 'kinds', reads: undefined, windowEndMs: undefined },
      [streamRecord({ id: image.id as AttributeValue }, image, moved, 1001)],
      { ttlSeconds: ttl },
    );
    expect(out.map((r) => r.eventName)).toEqual(['MODIFY']); // counted in full: subtracts the scanned image
    const stored = (await readClaims(clients.ddb, claims, [pk])).get(pk);
    expect(stored).toMatchObject({
      by: 'scan',
      spill: { digest: imageDigest(image as Image) },
      live: { first: 'full' },
    });
    if (stored?.by !== 'scan' || !('spill' in stored)) throw new Error('not a spilled scan claim');
    expect(await readClaimImage(clients.ddb, claims, pk, stored.spill)).toEqual(image);
  });
});

describe('the hand-off over items near 400 KB (claims that hold a digest)', () => {
  // a rollup with a callback: its claims keep the whole item, so every claim below is spilled
  const kinds = callbackKinds;

  async function world(name: string) {
    const ddb = clients.ddb;
    const tables = {
      source: uniqueTableName(`${name}-src`),
      table: uniqueTableName(`${name}-agg`),
      claimTable: uniqueTableName(`${name}-claims`),
    };
    await Promise.all([
      createSourceTable(ddb, tables.source, { id: 'S' }),
      createAggregateTable(ddb, tables.table),
      createClaimTable(ddb, tables.claimTable),
    ]);
    await registerVersions(ddb, tables.table, [kinds.compiled], { firstVersion: 'building' });
    const side = createVersionedWriteSide({
      client: ddb,
      table: tables.table,
      claimTable: tables.claimTable,
      rollups: [kinds],
      claimMarginMs: 60_000,
    });
    let seq = 1000;
    const put = (item: Item) => ddb.send(new PutItemCommand({ TableName: tables.source, Item: item }));
    /** One stream record of the item's change from `before` to `after` (either undefined: INSERT / REMOVE). */
    const change = (before: Item | undefined, after: Item | undefined) => {
      const id = (before ?? after)?.id as AttributeValue;
      return streamRecord({ id }, before, after, ++seq);
    };
    const counts = () => allTimeCounts(ddb, tables.table, 'kinds', 'n');
    return { ddb, tables, side, put, change, counts };
  }

  // failed before the fix: the backfill's first claim of a ~400 KB item was refused (ValidationException) on
  // every run, so the backfill never completed
  it('scan first, stream first, the record of the scanned image, MODIFY and REMOVE after a scan claim, redeliveries: each item counts once', async () => {
    const w = await world('review-big');
    const a1 = bigItem('a', 'a1');
    const b = bigItem('b', 'b');
    const c0 = bigItem('c', 'c0');
    const c1 = { ...c0, kind: { S: 'c1' } };
    const d = bigItem('d', 'd');
    for (const item of [a1, b, c0, d]) await w.put(item);
    // b reaches the stream first: claimed live, counted from its new image; the scan leaves it
    const first = [w.change(undefined, b)];
    await w.side.apply({ records: first, shardId: 'shardId-1' });
    // c changes before the scan, and a lagging consumer delivers that change after the scan read c1
    await w.put(c1);
    const lagging = [w.change(undefined, c0), w.change(c0, c1)];
    const report = await runBackfill({ client: w.ddb, ...w.tables, rollup: kinds, segments: 1, settleMs: 0 });
    expect(report.complete).toBe(true);
    expect(report.progress).toMatchObject({ scanned: 4, folded: 3, claimedLive: 1 });
    expect(await w.counts()).toEqual(
      new Map([
        ['a1', 1],
        ['b', 1],
        ['c1', 1],
        ['d', 1],
      ]),
    );
    // the lagging records up to the scanned image are skipped; after it: a moves, c moves, d is deleted
    const a2 = { ...a1, kind: { S: 'a2' } };
    const c2 = { ...c1, kind: { S: 'c2' } };
    const after = [w.change(a1, a2), w.change(c1, c2), w.change(d, undefined)];
    const batches = [lagging, after];
    for (const records of batches) await w.side.apply({ records, shardId: 'shardId-1' });
    const expected = new Map([
      ['a2', 1],
      ['b', 1],
      ['c2', 1],
    ]);
    expect(await w.counts()).toEqual(expected);
    // every batch delivered again: the claims decide the same, the row watermarks take nothing twice
    for (const records of [first, ...batches]) await w.side.apply({ records, shardId: 'shardId-1' });
    expect(await w.counts()).toEqual(expected);
  });

  // a scan that claimed an item, stopped before counting it, and meanwhile the stream counted on from the
  // claimed image (subtracting it) and the item changed again: the resumed scan must fold the image it claimed,
  // which only the claim's parts still hold (folding the item as it is now counts it twice)
  it('a scan stopped between its claims and its rows folds the claimed image on resume, whatever the item holds now', async () => {
    const w = await world('review-big-stop');
    const e1 = bigItem('e', 'e1');
    await w.put(e1);
    const stop = new AbortController();
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    const closed = () => client.destroy();
    try {
      // the run stops right after its claims went out, before any row is written
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const out = await next(args);
          if (context.commandName === 'BatchExecuteStatementCommand') stop.abort();
          return out;
        },
        { step: 'initialize', name: 'stopAfterClaims' },
      );
      await expect(
        runBackfill({ client, ...w.tables, rollup: kinds, segments: 1, settleMs: 0, signal: stop.signal }),
      ).rejects.toThrow(/stopped/);
    } finally {
      closed();
    }
    expect(await w.counts()).toEqual(new Map());
    // the stream passes the claimed image (e1 → e2: e1's count taken out, e2's added), then e changes again
    const e2 = { ...e1, kind: { S: 'e2' } };
    const e3 = { ...e1, kind: { S: 'e3' } };
    await w.put(e2);
    await w.side.apply({ records: [w.change(e1, e2)], shardId: 'shardId-1' });
    await w.put(e3);
    const report = await runBackfill({ client: w.ddb, ...w.tables, rollup: kinds, segments: 1, settleMs: 0 });
    expect(report.complete).toBe(true);
    expect(await w.counts()).toEqual(new Map([['e2', 1]]));
    await w.side.apply({ records: [w.change(e2, e3)], shardId: 'shardId-1' });
    expect(await w.counts()).toEqual(new Map([['e3', 1]]));
  });
});

type Item = Record<string, AttributeValue>;

/** A source item `{ id, kind, t, payload }` of `bytes` (default 10 under 400 KB), DynamoDB's item-size rules. */
function bigItem(id: string, kind: string, bytes = 400 * 1024 - 10): Item {
  const base: Item = { id: { S: id }, kind: { S: kind }, t: { N: String(Date.UTC(2026, 10, 1)) } };
  return { ...base, payload: { S: 'x'.repeat(bytes - itemSizeBytes(base) - 'payload'.length) } };
}

/** A stream record of an item's change (an INSERT without `oldImage`, a REMOVE without `newImage`). */
function streamRecord(
  keys: Item,
  oldImage: Item | undefined,
  newImage: Item | undefined,
  seq: number,
): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: keys as never,
      ...(oldImage ? { OldImage: oldImage as never } : {}),
      ...(newImage ? { NewImage: newImage as never } : {}),
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
