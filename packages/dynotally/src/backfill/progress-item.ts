import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CLAIM_TTL_MS } from './claim-lifetime.ts';
import type { StateSlot } from './state-slots.ts';

/**
 * How long a segment's progress item lives after its last write (its `ttl`, the claim table's TTL attribute, set by
 * every progress write): as long as a claim. Progress is read while the version builds, which ends within
 * `CLAIM_DEADLINE_MS` of its registration (`checkClaimLifetime`), and every progress write comes after the
 * registration, so no item expires while its backfill may still resume. Once the backfill ended nothing reads it:
 * the end records what the segments' items summed (`BackfillRecord.storeRefused`, which `repairRollup` reads). So
 * the progress of every build (each keyed by its own build id, `claimPrefix`) leaves the shared claim table.
 *
 * @example
 * ```ts
 * const ttl = progressTtlSeconds(Date.now()); // 30 days from now, in epoch seconds
 * ```
 */
export const PROGRESS_TTL_MS = CLAIM_TTL_MS;

/**
 * The `ttl` a progress item written at `nowMs` gets (epoch seconds): {@link PROGRESS_TTL_MS} later.
 *
 * @example
 * ```ts
 * progressTtlSeconds(0); // 2592000
 * ```
 */
export function progressTtlSeconds(nowMs: number): number {
  return Math.floor((nowMs + PROGRESS_TTL_MS) / 1000);
}

/**
 * One scan segment's durable progress in the claim table: the next chunk number, where the scan resumes, and the
 * chunk in flight (its item keys, written before any of them is claimed, so a restart finishes exactly that
 * chunk — items deleted since included).
 *
 * @example
 * ```ts
 * const p: SegmentProgress = { chunk: 0, cursor: undefined, journal: undefined, done: false, scanned: 0, storeRefused: 0, applying: undefined, slot: undefined };
 * ```
 */
export interface SegmentProgress {
  chunk: number;
  cursor: Record<string, AttributeValue> | undefined;
  journal:
    | {
        keys: Record<string, AttributeValue>[];
        end: Record<string, AttributeValue> | undefined;
        /**
         * Written by a build that stamps `applying` before a chunk's rows: without it (a journal of an earlier
         * build) and without `applying`, the chunk may have been applied already, at an unknown time.
         */
        stamped: boolean;
        /**
         * Which items the chunk counts, decided from the scanned page by the process that journaled it
         * (`memberBits`); undefined in a journal of an earlier build (`claimsItem` says what then).
         */
        members: Uint8Array | undefined;
        /**
         * Which of the items that are no members the fold refused when the chunk was journaled (`refusedBits`):
         * a later process running the chunk reads them again and sends their letters (`refusedAt`). Undefined
         * when none was refused, and in a journal of an earlier build.
         */
        refused: Uint8Array | undefined;
        /**
         * Whether the journal records its refused items (`refused`, absent when none): written by this build on
         * every journal. False in a journal of an earlier build, where no `refused` means "not recorded": a later
         * process reads every item that is no member again for its letter.
         */
        refusals: boolean;
      }
    | undefined;
  done: boolean;
  scanned: number;
  /**
   * Items of the segment's applied chunks the store refused when their rows were written (a sum past 38 digits, a
   * row past 400 KB: the applier's poison), added by each chunk's last progress write (so once per chunk, whatever
   * the crashes). The version lacks them; `repairRollup` does not promote it over a serving one while any is left.
   */
  storeRefused: number;
  /**
   * When the journaled chunk was first applied (epoch seconds), set before its rows are written and removed with
   * the journal: a resume applies that chunk again only while its rows' exactly-once states surely survive.
   */
  applying: number | undefined;
  /**
   * The state slot the segment's chunks are applied under (`state-slots.ts`), recorded before anything of it was
   * applied; undefined for a segment applied under its own state (`bf-<segment>/<segments>`).
   */
  slot: StateSlot | undefined;
}

/**
 * The claim-table key of a segment's progress item.
 *
 * @example
 * ```ts
 * progressKey('store.v2', 0, 4); // { pk: { S: '~bf#store.v2#0/4' } }
 * ```
 */
export function progressKey(
  prefix: string,
  segment: number,
  segments: number,
): Record<string, AttributeValue> {
  return { pk: { S: `~bf#${prefix}#${segment}/${segments}` } };
}

/**
 * Reads a progress item (absent: a segment that has not started).
 *
 * @example
 * ```ts
 * const p = parseProgress(out.Item);
 * ```
 */
export function parseProgress(item: Record<string, AttributeValue> | undefined): SegmentProgress {
  const j = item?.journal?.M;
  return {
    chunk: Number(item?.chunk?.N ?? 0),
    cursor: item?.cursor?.M,
    journal:
      j === undefined
        ? undefined
        : {
            keys: (j.keys?.L ?? []).map((k) => k.M ?? {}),
            end: j.end?.M,
            stamped: j.stamped?.BOOL === true,
            members: j.members?.B,
            refused: j.refused?.B,
            refusals: j.refusals?.BOOL === true,
          },
    done: item?.done?.BOOL ?? false,
    scanned: Number(item?.scanned?.N ?? 0),
    storeRefused: Number(item?.storeRefused?.N ?? 0),
    applying: item?.applying?.N === undefined ? undefined : Number(item.applying.N),
    slot:
      item?.slot?.N === undefined || item.gen?.N === undefined
        ? undefined
        : { slot: Number(item.slot.N), generation: Number(item.gen.N) },
  };
}
