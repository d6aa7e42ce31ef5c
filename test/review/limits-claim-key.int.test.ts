// Review of DynamoDB limits (partition key ≤ 2,048 bytes, item ≤ 400 KB) in the backfill hand-off's claim table.
//
// 1. claimKey (backfill/claim-item.ts) is `<rollup>#<JSON of the source item's key attributes>`: name, type and
//    value of the partition key (DynamoDB allows 2,048 bytes) and of the sort key (1,024 bytes), binary values in
//    base64 (4/3 the bytes), quotes and control characters escaped. A source item whose key attributes total
//    about 2,000 bytes or more has a claim key past the claim table's 2,048-byte partition key: readClaims'
//    BatchGetItem is refused whole (ValidationException, every key of the chunk), on the stream side
//    (claimRecords, each delivery of a batch holding such a record while a version is under backfill: the shard
//    is blocked) and in the backfill (runBackfill reads a chunk's claims the same way: the backfill never ends).
// 2. A scan claim stores the item's image (projected to the rollup's reads; the whole item when a callback may
//    read anything). An item near 400 KB makes a claim item past 400 KB: putNewClaims' INSERT and its PutItem
//    fallback are refused (ValidationException) on every run of the backfill.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { putNewClaims } from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { claimKey } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { claimRecords } from '../../packages/dynotally/src/backfill/claim-records.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';

describe('claim keys of source items with long keys', () => {
  // a legal source key: a 1,200-byte partition key and a 900-byte sort key (DynamoDB allows 2,048 and 1,024)
  const keys = { pk: { S: 'p'.repeat(1200) }, sk: { S: 's'.repeat(900) } };

  it('the claim key of such an item is over 2,048 bytes', () => {
    expect(Buffer.byteLength(claimKey('kinds', keys))).toBeGreaterThan(2048);
  });

  // fails: ValidationException (the claim key passes 2,048 bytes) from readClaims' BatchGetItem, on every delivery;
  // fix: key claims by the hash of the key JSON past a bounded length (as letter-item.ts's bounded() does)
  it.fails('the stream side claims a record of such an item', async () => {
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
