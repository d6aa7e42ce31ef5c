// Review of how a backfill claim holds the image of a source item near 400 KB (0501efd, 5d42de7): the parts of a
// spilled image, keyed by claim and image digest, between two processes running one chunk.
//
// The parts of a spilled claim are keyed `<prefix>#img:<hash of the claim key>:<digest>:<n>` and written
// unconditionally, on the premise that "a part's key names its claim and its image's digest, so writing it again
// writes the same bytes" (putImageParts). The digest is over the canonical text of the image (attribute order and
// set order ignored), but the parts hold encodeImage's bytes: the image's JSON in the order it was read, deflated.
// Two reads of one unchanged item may list its attributes (or a set's elements) in other orders (DynamoDB
// documents no order for either; a Scan page and a GetItem are two reads), and deflate's output for one input is
// not fixed across zlib builds (Node versions). Two processes running one chunk (two repairs, or a backfill beside
// a repair: the second re-reads the journal and reads each item with GetItem) then write parts under the same keys
// with other bytes. When the second process's parts land between the first's parts and its claim (it was stopped
// after one part, or its parts went out in another order), the claim names parts that no longer give its image:
// readClaimImage refuses (BACKFILL_REFUSED), in the second process right after its DuplicateItem and in every
// resume of the chunk, so the backfill can never finish and the version must be rebuilt.
//
// Fixed by keys naming the digest of the encoded bytes (held in the claim beside dg, as ed): each process's parts
// have keys of their own, and the claim written first names its own.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Claim } from '../../packages/dynotally/src/backfill/claim.ts';
import { putNewClaims } from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { claimKey } from '../../packages/dynotally/src/backfill/claim-item.ts';
import {
  putImageParts,
  readClaimImage,
  readClaims,
} from '../../packages/dynotally/src/backfill/claim-store.ts';
import { imageDigest } from '../../packages/dynotally/src/backfill/image-digest.ts';
import { spillClaim } from '../../packages/dynotally/src/backfill/image-parts.ts';
import type { Image } from '../../packages/dynotally/src/decode/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const scanClaim = (image: Image): Claim => ({ by: 'scan', segment: 0, chunk: 0, image, live: undefined });

describe('parts of one spilled image written by two processes', () => {
  // failed before the parts were keyed by the digest of their bytes: readClaimImage threw BACKFILL_REFUSED ("its
  // parts do not decode"): part 0 was the second process's encoding of the image, part 1 the first's
  it('a claim still gives its image back after the second process running its chunk wrote a part of the same image in another attribute order', async () => {
    const claims = uniqueTableName('review-spill-parts');
    await createClaimTable(clients.ddb, claims);
    const pk = claimKey('kinds', { id: { S: 'item-1' } });
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    // one item near 400 KB of incompressible binary (two parts), as each process read it: the same attributes and
    // values, listed in other orders
    const first = {
      id: { S: 'item-1' },
      kind: { S: 'a' },
      t: { N: String(Date.UTC(2026, 10, 1)) },
      blob: { B: new Uint8Array(randomBytes(400 * 1024 - 100)) },
    } as unknown as Image;
    const second = Object.fromEntries(Object.entries(first).reverse()) as Image;
    expect(imageDigest(second)).toBe(imageDigest(first));
    const mine = spillClaim(pk, scanClaim(first), ttl).parts;
    const theirs = spillClaim(pk, scanClaim(second), ttl).parts;
    expect(mine).toHaveLength(2);
    // other bytes (so, since the fix, under other keys)
    expect(Buffer.compare(theirs[0]?.part?.B as Uint8Array, mine[0]?.part?.B as Uint8Array)).not.toBe(0);

    // the first process writes its parts; before its claim goes out, the second process's first part lands (it
    // was stopped right after it, or its second part is still on its way)
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    try {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'BatchExecuteStatementCommand')
            await putImageParts(clients.ddb, claims, theirs.slice(0, 1));
          return next(args);
        },
        { step: 'initialize', name: 'secondProcessPart' },
      );
      const [outcome] = await putNewClaims(client, claims, [{ pk, claim: scanClaim(first) }], ttl);
      expect(outcome?.written).toBe(true);
    } finally {
      client.destroy();
    }
    const stored = (await readClaims(clients.ddb, claims, [pk])).get(pk);
    if (stored?.by !== 'scan' || !('spill' in stored)) throw new Error('not a spilled scan claim');
    // what the second process (its INSERT answered DuplicateItem, the claim is its chunk's) and every resume of the
    // chunk read to fold the claimed image
    const image = await readClaimImage(clients.ddb, claims, pk, stored.spill);
    expect(imageDigest(image)).toBe(stored.spill.digest);
  });
});
