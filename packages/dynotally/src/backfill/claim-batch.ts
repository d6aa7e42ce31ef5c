import type { AttributeValue, BatchStatementRequest, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { emptyReport } from '../apply/apply-report.ts';
import { type KeyedStatement, RETRYABLE_STATEMENT_CODES, sendStatements } from '../apply/batch-statements.ts';
import { itemSizeBytes, writeUnits } from '../cost/index.ts';
import type { Claim } from './claim.ts';
import { claimToItem } from './claim-item.ts';
import { putClaim, putImageParts, readClaims } from './claim-store.ts';
import { spillClaim } from './image-parts.ts';

/**
 * Claims over this size are measured in JSON before they are packed into requests; smaller ones are at most a few
 * times it (25 of them well within a request), so they are not.
 */
const LARGE_CLAIM_BYTES = 16 * 1024;

/** One first claim to write: the claim-table key and the claim. */
export interface NewClaim {
  readonly pk: string;
  readonly claim: Claim;
}

/** What became of one {@link NewClaim}: written, or the claim another side (or process) stored first. */
export type ClaimOutcome = { written: true } | { written: false; current: Claim | undefined };

/** Options of {@link putNewClaims}. */
export interface PutNewClaimsOptions {
  /** `BatchExecuteStatement` requests in flight (default 8). */
  concurrency?: number;
  /** Rounds for statements the store throttled before they go one by one through `PutItem` (default 6). */
  maxRounds?: number;
  /** Counts what was sent (for reports and tests). */
  stats?: ClaimBatchStats;
}

/** What {@link putNewClaims} sent. */
export interface ClaimBatchStats {
  /** `BatchExecuteStatement` requests. */
  requests: number;
  /** `INSERT` statements sent (a statement sent again after throttling counts again). */
  statements: number;
  /** Statements answered `DuplicateItem` (the item already had a claim). */
  duplicates: number;
  /** Statements sent again after a throttling (or transient) answer. */
  retried: number;
  /** Claims that went through the conditional `PutItem` (any other statement error, or a refused request). */
  viaPutItem: number;
  /** Claims too large for one item, sent with their image's digest after its parts (`spillClaim`). */
  spilled: number;
  /**
   * Write units of what was written, from the items' sizes (1 per started KB): every part of a spilled image,
   * every claim written (a claim keeping a large image whole is a large write), and 1 for each claim found
   * already there (`DuplicateItem`, or the `PutItem`'s failed condition).
   */
  writeUnits: number;
}

/**
 * The PartiQL statement that writes a claim item only if the item has none: `INSERT` fails with `DuplicateItem`
 * when the key exists, which is exactly the scan's "claim if absent" (`attribute_not_exists(pk)`). Values are
 * parameters, in the item's attribute order.
 *
 * @example
 * ```ts
 * const s = insertClaimStatement('claims', claimToItem(pk, claim, ttl));
 * s.Statement; // `INSERT INTO "claims" VALUE {'pk': ?, 'by': ?, 'ttl': ?, …}`
 * ```
 */
export function insertClaimStatement(
  table: string,
  item: Record<string, AttributeValue>,
): BatchStatementRequest {
  const names = Object.keys(item);
  return {
    Statement: `INSERT INTO "${table}" VALUE {${names.map((n) => `'${n}': ?`).join(', ')}}`,
    Parameters: names.map((n) => item[n] as AttributeValue),
  };
}

/**
 * Writes first claims (claim if absent) 25 to a PartiQL `BatchExecuteStatement`, many requests in flight, and
 * answers per claim in input order. Each statement's own answer decides: none → written; `DuplicateItem` → the
 * stored claim is read back (strongly consistent, batched) and returned as `current`; throttling or another
 * transient code → sent again in a later round after a backoff; any other code, a request the store refuses as
 * a whole, or a statement still throttled after `maxRounds` → the claim's conditional `PutItem`
 * ({@link putClaim}), whose errors propagate. Keys must be distinct (a chunk's items are). A scan claim too
 * large for one item is spilled first (`spillClaim`: its image's parts written before any statement, the claim
 * sent with the image's digest), so no statement is refused for size.
 *
 * @example
 * ```ts
 * const outcomes = await putNewClaims(client, 'claims', [{ pk, claim }], ttlSeconds);
 * if (!outcomes[0]?.written) leaveToStream(outcomes[0]?.current);
 * ```
 */
export async function putNewClaims(
  client: DynamoDBClient,
  table: string,
  claims: readonly NewClaim[],
  ttlSeconds: number,
  options: PutNewClaimsOptions = {},
): Promise<ClaimOutcome[]> {
  const stats = options.stats;
  // claims too large for one item keep their image in parts, durable before the claims that name them
  const spilled = claims.map((c) => spillClaim(c.pk, c.claim, ttlSeconds));
  await putImageParts(
    client,
    table,
    spilled.flatMap((s) => s.parts),
    options.concurrency ?? 8,
  );
  const stored = spilled.map((s) => s.claim);
  // each claim's item and statement, built once for every round; large ones measured in JSON (a claim keeping a
  // large image whole can be several times its size there: control characters, short values), so a request of
  // them stays within what one BatchExecuteStatement carries
  const claimItems = stored.map((c, i) => claimToItem((claims[i] as NewClaim).pk, c, ttlSeconds));
  const keyed: KeyedStatement[] = claimItems.map((item, i) => {
    const statement = insertClaimStatement(table, item);
    const size = itemSizeBytes(item);
    const bytes = size > LARGE_CLAIM_BYTES ? Buffer.byteLength(JSON.stringify(statement)) : undefined;
    return { key: (claims[i] as NewClaim).pk, statement, bytes };
  });
  const claimUnits = (i: number) => writeUnits(undefined, claimItems[i] as Record<string, AttributeValue>);
  if (stats !== undefined) {
    stats.spilled += spilled.filter((s) => s.parts.length > 0).length;
    for (const s of spilled) for (const part of s.parts) stats.writeUnits += writeUnits(undefined, part);
  }
  const out: Array<ClaimOutcome | undefined> = new Array(claims.length).fill(undefined);
  const duplicates: number[] = [];
  const viaPutItem: number[] = [];
  let pending = claims.map((_, i) => i);
  const maxRounds = options.maxRounds ?? 6;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= maxRounds) {
      viaPutItem.push(...pending);
      break;
    }
    if (round > 0) {
      if (stats !== undefined) stats.retried += pending.length;
      await backoff(round);
    }
    const items = pending.map((i) => keyed[i] as KeyedStatement);
    const report = emptyReport();
    const answers = await sendStatements(items, { client, concurrency: options.concurrency ?? 8, report });
    if (stats !== undefined) {
      stats.requests += report.requests;
      stats.statements += items.length - answers.requestErrors.reduce((n, r) => n + r.indexes.length, 0);
    }
    const again: number[] = [];
    for (const { indexes } of answers.requestErrors)
      for (const k of indexes) viaPutItem.push(pending[k] as number);
    answers.responses.forEach((response, k) => {
      if (response === undefined) return; // its request was refused: counted above
      const i = pending[k] as number;
      const code = response.Error?.Code;
      if (code === undefined) {
        out[i] = { written: true };
        if (stats !== undefined) stats.writeUnits += claimUnits(i);
      } else if (code === 'DuplicateItem') duplicates.push(i);
      else if (RETRYABLE_STATEMENT_CODES.has(code)) again.push(i);
      else viaPutItem.push(i);
    });
    pending = again;
  }
  if (duplicates.length > 0) {
    if (stats !== undefined) {
      stats.duplicates += duplicates.length;
      stats.writeUnits += duplicates.length;
    }
    const current = await readClaims(
      client,
      table,
      duplicates.map((i) => (claims[i] as NewClaim).pk),
    );
    for (const i of duplicates) out[i] = { written: false, current: current.get((claims[i] as NewClaim).pk) };
  }
  for (const i of viaPutItem) {
    const c = claims[i] as NewClaim;
    if (stats !== undefined) stats.viaPutItem++;
    const outcome = await putClaim(client, table, c.pk, stored[i] as Claim, undefined, ttlSeconds);
    if (stats !== undefined) stats.writeUnits += outcome.written ? claimUnits(i) : 1;
    out[i] = outcome;
  }
  return out as ClaimOutcome[];
}

/**
 * An empty {@link ClaimBatchStats}.
 *
 * @example
 * ```ts
 * const stats = emptyClaimBatchStats();
 * await putNewClaims(client, 'claims', claims, ttlSeconds, { stats });
 * stats.duplicates; // items another side had claimed
 * ```
 */
export function emptyClaimBatchStats(): ClaimBatchStats {
  return { requests: 0, statements: 0, duplicates: 0, retried: 0, viaPutItem: 0, spilled: 0, writeUnits: 0 };
}

const backoff = (round: number) =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(2_000, 25 * 2 ** round)));
