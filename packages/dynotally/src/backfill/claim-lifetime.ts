import { DynotallyError } from '../errors/index.ts';

const DAY_MS = 86_400_000;

/**
 * How long a claim lives (its `ttl`, from when it is written): the stream side's default and least
 * `claimTtlMs`, and the backfill's own claims. A claim must outlive every use of it: a claim deleted while its
 * version still routes records through claims lets an item be counted twice (the stream's next record finds no
 * claim and adds the new image without subtracting the counted one; the scan finds no claim and counts the item
 * the stream already counts).
 *
 * @example
 * ```ts
 * const ttlSeconds = Math.floor((Date.now() + CLAIM_TTL_MS) / 1000);
 * ```
 */
export const CLAIM_TTL_MS = 30 * DAY_MS;

/**
 * How long after its registration a version's backfill may end. No claim of a version is written before it is
 * registered, so none expires before registration + {@link CLAIM_TTL_MS}; claims are used until the backfill's
 * end + `claimMarginMs` (at most {@link MAX_CLAIM_MARGIN_MS}) + the stream's 24 h retention (a record created
 * before then may be delivered that late). The two days left cover those and the clock skew between hosts.
 *
 * @example
 * ```ts
 * const deadline = entry.registeredAt + CLAIM_DEADLINE_MS;
 * ```
 */
export const CLAIM_DEADLINE_MS = 28 * DAY_MS;

/**
 * The largest `claimMarginMs` the stream side takes, so that {@link CLAIM_DEADLINE_MS} leaves room for it.
 *
 * @example
 * ```ts
 * if (marginMs > MAX_CLAIM_MARGIN_MS) throw new DynotallyError('CONFIG_INVALID', '…');
 * ```
 */
export const MAX_CLAIM_MARGIN_MS = 12 * 3_600_000;

/**
 * Refuses to go on building a version once its earliest claims may have expired before the claims stop being
 * used: after registration + {@link CLAIM_DEADLINE_MS}, a backfill neither scans another chunk nor records the
 * version as complete, so a version whose claims may be gone never becomes `ready` or serves.
 *
 * @throws {DynotallyError} `BACKFILL_REFUSED` past the deadline.
 * @example
 * ```ts
 * checkClaimLifetime({ rollup: 'store', version: 2, registeredAt: entry.registeredAt, now: Date.now() });
 * ```
 */
export function checkClaimLifetime(at: {
  rollup: string;
  version: number;
  registeredAt: number;
  now: number;
}): void {
  if (!claimsMayHaveExpired(at.registeredAt, at.now)) return;
  const deadline = at.registeredAt + CLAIM_DEADLINE_MS;
  const days = Math.floor((at.now - at.registeredAt) / DAY_MS);
  throw new DynotallyError(
    'BACKFILL_REFUSED',
    `version ${at.version} of rollup '${at.rollup}' was registered ${days} days ago: its backfill must end within ${CLAIM_DEADLINE_MS / DAY_MS} days of the registration, because its claims (which decide whether the stream or the backfill counts an item) expire ${CLAIM_TTL_MS / DAY_MS} days after they are written, and an expired claim could let an item be counted twice. This version can no longer be completed: build the definition again as a new version with repairRollup, which retires this one (from the command line: dynotally verify <rollup> --repair), and let that backfill run to its end within ${CLAIM_DEADLINE_MS / DAY_MS} days`,
    {
      details: {
        rollup: at.rollup,
        version: at.version,
        registeredAt: at.registeredAt,
        deadline,
      },
    },
  );
}

/**
 * Whether a building version is past {@link CLAIM_DEADLINE_MS}, so its backfill can never complete.
 *
 * @example
 * ```ts
 * if (claimsMayHaveExpired(entry.registeredAt, Date.now())) registerAnotherRebuild();
 * ```
 */
export function claimsMayHaveExpired(registeredAt: number, now: number): boolean {
  return now > registeredAt + CLAIM_DEADLINE_MS;
}
