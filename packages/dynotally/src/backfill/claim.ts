import type { Image } from '../decode/index.ts';
import { canonicalImage, imageDigest } from './image-digest.ts';

/**
 * From which of an item's stream records on a version counts them: records before `seq` are skipped, the record
 * at `seq` counts as `first` says, every later record counts in full.
 *
 * @example
 * ```ts
 * const live: LiveFrom = { seq: '0000…0042', first: 'new' }; // record 42 adds its new image only
 * ```
 */
export interface LiveFrom {
  readonly seq: string;
  readonly first: RecordDecision;
}

/**
 * Where a scan claim's image is when the claim item cannot hold it (an item near DynamoDB's 400 KB, kept whole
 * for a rollup with a callback): its {@link imageDigest}, which the stream side compares records with, and the
 * number of parts beside the claim that hold the image for a restarted scan (`backfill/image-parts.ts`).
 *
 * @example
 * ```ts
 * const spill: ImageSpill = { digest: imageDigest(projected), parts: 1 };
 * ```
 */
export interface ImageSpill {
  readonly digest: string;
  readonly parts: number;
  /**
   * SHA-256 (base64url) of the encoded bytes the parts hold, which name the parts' keys: two processes that
   * encode one image differently (another attribute order, another zlib) write parts of their own. Undefined for
   * a claim spilled before parts were keyed so (its parts are keyed by `digest`).
   */
  readonly encoding?: string | undefined;
}

/**
 * A claim the scan wrote: its segment and chunk, and the (projected) image it read and folds — in the claim
 * (`image`), or, when too large for the claim item, by digest with the image in parts beside it (`spill`) — or
 * `nothing`: the chunk journaled the item as countable, but the process that claimed it first read it uncountable
 * (no time, outside `match`, no group) or deleted. Such a claim fixes that the scan counts nothing for the item,
 * for every process that runs the chunk later, whatever the item holds by then (`backfill/chunk-members.ts`).
 *
 * @example
 * ```ts
 * const c: ScanClaim = { by: 'scan', segment: 0, chunk: 3, image: { g: { S: 'a' } }, live: undefined };
 * ```
 */
export type ScanClaim = {
  readonly by: 'scan';
  readonly segment: number;
  readonly chunk: number;
  readonly live: LiveFrom | undefined;
} & ({ readonly image: Image } | { readonly spill: ImageSpill } | { readonly nothing: true });

/**
 * The per-item claim of one version under backfill: who reached the item first. The scan claims with the
 * (projected) image it read and folds exactly that image; the stream, finding no claim, claims it live. A scan
 * claim becomes live (keeping its image and chunk, so a restarted scan still recognises it) once the stream
 * passes the image the scan counted.
 *
 * @example
 * ```ts
 * const c: Claim = { by: 'scan', segment: 0, chunk: 3, image: { g: { S: 'a' } }, live: undefined };
 * ```
 */
export type Claim = ScanClaim | { readonly by: 'stream'; readonly live: LiveFrom };

/**
 * How one stream record counts in a version under backfill: `skip` (its change is already in what the scan
 * counted, or happened before the version's counting began), `new` (add its new image only: the item's earlier
 * state was never counted), `full` (subtract the old image, add the new one).
 */
export type RecordDecision = 'skip' | 'new' | 'full';

/** One stream record of an item, as the claim decision sees it. */
export interface ItemRecord {
  /** 40-digit sequence number. */
  readonly seq: string;
  readonly oldImage: Image | undefined;
  readonly newImage: Image | undefined;
  /** Past the claim window (approximate creation time after the backfill's end + margin): counts in full. */
  readonly afterWindow?: boolean;
}

/**
 * Decides how each of one item's records (in sequence order) counts, given the item's claim as stored, and the
 * claim to store afterwards. Deterministic: the same records against the same stored claim — or against the
 * claim this call returned — give the same decisions, so a redelivered batch is counted the same way.
 *
 * - no claim: the first record claims the item live and adds only its new image (the old one was never
 *   counted: the scan will not count the item now, and the stream never counted it before);
 * - a scan claim with image S: records are skipped up to the first whose new image is S (skipped too), or
 *   counted from the first whose old image is S; the deltas between two occurrences of S cancel, so either
 *   occurrence is correct; the claim then records where counting started;
 * - a scan claim of `nothing` (the scan counts nothing for the item): as no claim, the first record adds only
 *   its new image (never subtracts the old one, which nobody counted), and the claim records that start;
 * - a live claim: records before its start are skipped, the first counts as recorded, later ones in full.
 *
 * @example
 * ```ts
 * const { decisions, claim } = decideItem(undefined, [{ seq, oldImage, newImage }], sameImage);
 * decisions; // ['new']
 * ```
 */
export function decideItem(
  stored: Claim | undefined,
  records: readonly ItemRecord[],
  same: (a: Image | undefined, claimed: ScanClaim) => boolean,
): { decisions: RecordDecision[]; claim: Claim | undefined; changed: boolean } {
  let claim = stored;
  let changed = false;
  const decisions: RecordDecision[] = [];
  for (const r of records) {
    if (r.afterWindow === true) {
      decisions.push('full');
      continue;
    }
    if (claim === undefined) {
      claim = { by: 'stream', live: { seq: r.seq, first: 'new' } };
      changed = true;
      decisions.push('new');
      continue;
    }
    if (claim.live !== undefined) {
      const l = claim.live;
      decisions.push(r.seq < l.seq ? 'skip' : r.seq === l.seq ? l.first : 'full');
      continue;
    }
    // an unconverted scan claim (by: 'scan', no live yet)
    const scan = claim as ScanClaim;
    if ('nothing' in scan) {
      claim = { ...scan, live: { seq: r.seq, first: 'new' } };
      changed = true;
      decisions.push('new');
      continue;
    }
    if (same(r.oldImage, scan)) {
      claim = { ...scan, live: { seq: r.seq, first: 'full' } };
      changed = true;
      decisions.push('full');
    } else if (same(r.newImage, scan)) {
      claim = { ...scan, live: { seq: r.seq, first: 'skip' } };
      changed = true;
      decisions.push('skip');
    } else decisions.push('skip');
  }
  return { decisions, claim, changed };
}

/**
 * An item image reduced to the attributes a rollup version reads (all of it when a callback may read anything),
 * which is all the claim needs to store and compare: two images with equal projections fold the same way.
 *
 * @example
 * ```ts
 * projectImage({ id: { S: 'x' }, g: { S: 'a' }, big: { S: '…' } }, ['g']); // { g: { S: 'a' } }
 * ```
 */
export function projectImage(image: Image, reads: readonly string[] | undefined): Image {
  if (reads === undefined) return image;
  const out: Image = {};
  for (const a of reads) {
    const v = image[a];
    if (v !== undefined) out[a] = v;
  }
  return out;
}

/**
 * Whether an image projects to the image a scan claim counted: compared with the claim's image in canonical form
 * (attribute and set order, binary as base64 or bytes do not matter), or by digest when the claim holds only
 * the digest ({@link ImageSpill}).
 *
 * @example
 * ```ts
 * const same = sameProjection(['g', 'amount']);
 * same(record.newImage, claim);
 * ```
 */
export function sameProjection(
  reads: readonly string[] | undefined,
): (a: Image | undefined, claimed: ScanClaim) => boolean {
  return (a, claimed) => {
    if (a === undefined) return false;
    const projected = projectImage(a, reads);
    if ('image' in claimed) return canonicalImage(projected) === canonicalImage(claimed.image);
    return 'spill' in claimed && imageDigest(projected) === claimed.spill.digest;
  };
}
