import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RollupLike } from '../apply/applier.ts';
import type { RedeliveryOptions } from '../apply/redelivery-horizon.ts';
import { isRetryable, type RetryOptions, withRetry } from '../apply/retry.ts';
import { CLAIM_TTL_MS, MAX_CLAIM_MARGIN_MS } from '../backfill/claim-lifetime.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { extremumUpdateParams } from '../plan/index.ts';
import { RetentionRecorder } from '../retention/index.ts';
import { readControls } from '../versions/control-store.ts';
import { backfillLetterRefusal } from './backfill-letter.ts';
import {
  type DeadLetterTable,
  getDeadLetters,
  type IdLookupOptions,
  letterPageSize,
  replayIndex,
  rereadDeadLetter,
} from './dead-letter-store.ts';
import { deltaRollupsByName, deltaRowBytes } from './delta-row-bytes.ts';
import { lateLetterRefusal } from './late-letter.ts';
import { checkFilter, type DeadLetterFilter, letterOfRollup } from './letter-filter.ts';
import { letterId, letterItemBound, type StoredDeadLetter } from './letter-item.ts';
import { replayCut, replayPlanDigest } from './replay-chunks.ts';
import type { ReplayClaims } from './replay-claims.ts';
import { compareReplayOrder } from './replay-order.ts';
import { replayMarkerUpdate, replayRowUpdate } from './replay-params.ts';
import { planReplay } from './replay-plan.ts';
import { type ReplayTarget, replayTargets } from './replay-targets.ts';

/**
 * Options of {@link replayDeadLetters}.
 *
 * @example
 * ```ts
 * const options: ReplayDeadLettersOptions = { client, deadLetterTable: 'dynotally-dead-letters', table: 'aggregates', rollups: [jobs], all: true };
 * ```
 */
export interface ReplayDeadLettersOptions extends Omit<DeadLetterFilter, 'replayed'>, IdLookupOptions {
  readonly client: DynamoDBClient;
  readonly deadLetterTable: string;
  /** The aggregate table. */
  readonly table: string;
  /**
   * The rollups to fold the records with now (usually the fixed ones). A rollup with versions (a control item) is
   * written in every version of these definitions that is not retired, as the stream side writes it; several
   * definitions may share a name (versions of one rollup, as given to `createVersionedWriteSide`).
   */
  readonly rollups: readonly RollupLike[];
  /**
   * The claim table the stream side builds versions with (`createVersionedWriteSide({ claimTable })`): a record
   * replayed into a version under backfill goes through the item's claim as the stream side's records do. Needed
   * only then (`CONFIG_INVALID` without it).
   */
  readonly claimTable?: string | undefined;
  /** The stream side's `claimMarginMs` (default 5 min, as there): records created until a backfill's end + this go through the claims. */
  readonly claimMarginMs?: number | undefined;
  /**
   * The letters to replay, by id; with `all`, every letter not replayed yet that the filter (`codes`, `rollup`,
   * `since`, `until`: {@link DeadLetterFilter}) selects. The filter goes with `all` only (`CONFIG_INVALID` with ids).
   */
  readonly ids?: readonly string[] | undefined;
  readonly all?: boolean | undefined;
  /**
   * With `all`: items one scan request of the dead-letter table reads (default 100, at most 1,000). The letters are
   * first indexed by their keys (no body: a few hundred bytes a letter at most), then read and replayed one at a time.
   */
  readonly pageSize?: number | undefined;
  readonly retry?: RetryOptions | undefined;
  /**
   * Replay letters of records that were older than the redelivery horizon when they were dead-lettered (refused by
   * default, `failed` with the reason noted: their pending rows may include rows that hold the record already,
   * whose shard state was pruned; see `lateLetterRefusal`). Set it once `dynotally verify` shows the rows lack them.
   */
  readonly replayLate?: boolean | undefined;
  /** The stream side's `redelivery` (its mapping's maximum record age), which says how long shard states are kept. */
  readonly redelivery?: RedeliveryOptions | undefined;
  /**
   * Stops the replay between two letters once aborted (and while the keys of `all` are read): the letters before
   * replayed, the letter being replayed finished, the others untouched. `break` does the same only when a letter's
   * result comes, which with `all` is after the index is read, and with `rollup` after the next letter it selects.
   */
  readonly signal?: AbortSignal | undefined;
  /** Clock (ms), for tests. */
  readonly now?: (() => number) | undefined;
}

/**
 * What happened to one dead letter: `replayed` (counted now), `already-replayed` (counted before: nothing
 * done), `still-poison` (the record still does not fold, or its rows cannot be planned, as a MODIFY whose own
 * delta needs more than 38 digits, `NUMBER_UNREPRESENTABLE`: the result carries the new code and reason, the letter
 * keeps the ones it was dead-lettered with, nothing is written, and the replay goes on with the other letters), `failed`
 * (DynamoDB refused the rows: the letter keeps the error as its reason), `not-found` (dropped meanwhile).
 *
 * @example
 * ```ts
 * const outcome: ReplayOutcome = 'replayed';
 * ```
 */
export type ReplayOutcome = 'replayed' | 'already-replayed' | 'still-poison' | 'failed' | 'not-found';

/**
 * The result of replaying one dead letter.
 *
 * @example
 * ```ts
 * for (const r of results) console.log(r.id, r.outcome, r.rows);
 * ```
 */
export interface ReplayResult {
  readonly id: string;
  readonly outcome: ReplayOutcome;
  /** Counter rows written by this replay. */
  readonly rows: number;
  /** min / max / last writes sent (idempotent). */
  readonly extrema: number;
  readonly code?: string | undefined;
  readonly reason?: string | undefined;
  /** Refused as the letter of a record older than the redelivery horizon (see `replayLate`). */
  readonly late?: true | undefined;
}

/**
 * Errors planning one letter that are that letter's own, the same whatever else happens in the call: its delta
 * cannot be held by DynamoDB (`NUMBER_UNREPRESENTABLE`), its record cannot go through a version's claim
 * (`RECORD_MALFORMED`), or it cannot be replayed at all (`DEAD_LETTER_NOT_REPLAYABLE`). An allow-list: any other
 * error (a throttled control read, a claim that kept changing, a refused option or version) fails the call, and the
 * letters stay as they were.
 */
const LETTER_REFUSALS: ReadonlySet<string> = new Set([
  'NUMBER_UNREPRESENTABLE',
  'RECORD_MALFORMED',
  'DEAD_LETTER_NOT_REPLAYABLE',
]);

/** An error planning one letter that is that letter's alone (a `DynotallyError` of {@link LETTER_REFUSALS}). */
function isLetterRefusal(e: unknown): e is DynotallyError {
  return e instanceof DynotallyError && LETTER_REFUSALS.has(e.code);
}

const compiledOf = (rollups: readonly RollupLike[]): CompiledRollup[] =>
  rollups.map((r) => ('compiled' in r ? r.compiled : r));

/**
 * Replays dead letters exactly once. Each letter's record is folded again with `rollups`; only the rows it
 * has not reached yet (`pendingRows`, stored when it was dead-lettered) get its deltas, with plain `ADD`s in
 * one `TransactWriteItems` together with an update of the dead-letter item that succeeds only if the letter
 * is still there and not replayed. So a second replay, a concurrent one, or a retry after a crash counts
 * nothing twice, and later records having moved the rows' watermarks past it does not matter. min / max / last
 * values are written first (they are idempotent). A letter carrying `deltas` (the Redis flusher's) applies
 * them the same way. A letter of more than 99 rows, or with a row too wide for one write (its additions are cut
 * into several updates of the row), goes in several transactions, each marking its chunk on the letter in the
 * same transaction (`replayChunks`), so a replay interrupted between two resumes with the chunks not marked. A record that still does not fold stays a dead letter with its code and reason (the new ones in its result). An error that is not the letter's own (control items still throttled, a claim that kept changing) fails the call, the letters left as they were.
 *
 * Rollups with versions (a control item: `createVersionedWriteSide`) are replayed as the stream side writes them:
 * into every version of the given definitions that is not retired, under its key prefix, a version under backfill
 * through the item's claim in `claimTable` (the record skipped when the backfill's scan counted its change, or
 * only its new image added when the item was never counted). The control items are read once per call; a
 * rollup whose serving version (or a version being built) holds a definition not given is refused before
 * anything is written (`VERSION_BUILDING`, `VERSION_UNKNOWN`): the record would be missing from a version
 * that is read.
 *
 * Memory: it collects {@link replayDeadLetterResults} into the array it returns, one {@link ReplayResult} per letter
 * replayed (its id, outcome and counts; a failed letter's code and reason, up to 4 KB), so it grows with the number
 * of letters selected (never with their bodies: one letter is read at a time). For a table that may hold very many
 * letters, iterate {@link replayDeadLetterResults} instead and keep only what you need (the CLI does).
 *
 * @example
 * ```ts
 * const results = await replayDeadLetters({
 *   client, deadLetterTable: 'dynotally-dead-letters', table: 'aggregates', rollups: [jobs, scans], all: true,
 *   claimTable: 'dynotally-claims', // the stream side's, for versions under backfill
 * });
 * console.table(results);
 * ```
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<ReplayResult[]> {
  const out: ReplayResult[] = [];
  for await (const r of replayDeadLetterResults(options)) out.push(r);
  return out;
}

/**
 * {@link replayDeadLetters} one letter at a time: yields each letter's result as soon as it is replayed, in replay
 * order ({@link compareReplayOrder}: by the records' stream sequence numbers, the order an item's claim takes them
 * in; ids given are replayed in that order too). With `all`, memory holds the selected letters' keys (a few hundred
 * bytes a letter, read by a scan with a projection, `pageSize` items a request) and one letter at a time, never
 * every letter. Stop it with `break` (or `return()`): it stops after the letter it is replaying, every letter
 * before it replayed, the others untouched. To stop it from elsewhere (a signal handler), abort `signal`: that also
 * stops it while the index is read, or while letters the `rollup` filter leaves out are skipped, when no result
 * comes for a `break`.
 *
 * @example
 * ```ts
 * for await (const r of replayDeadLetterResults({ client, deadLetterTable: 'dynotally-dead-letters', table: 'aggregates', rollups: [jobs], all: true, codes: ['RETRIES_EXHAUSTED'] })) {
 *   if (r.outcome === 'failed') console.error(r.id, r.reason);
 * }
 * ```
 */
export async function* replayDeadLetterResults(
  options: ReplayDeadLettersOptions,
): AsyncGenerator<ReplayResult> {
  const marginMs = options.claimMarginMs ?? 300_000;
  if (!Number.isFinite(marginMs) || marginMs < 1_000 || marginMs > MAX_CLAIM_MARGIN_MS)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `claimMarginMs must be from 1,000 ms to 12 h, the stream side's (got ${marginMs})`,
      { details: { claimMarginMs: marginMs } },
    );
  const byIds = options.ids !== undefined && options.ids.length > 0;
  const filter: DeadLetterFilter = {
    codes: options.codes,
    rollup: options.rollup,
    since: options.since,
    until: options.until,
  };
  if (byIds && Object.values(filter).some((v) => v !== undefined))
    throw new DynotallyError(
      'CONFIG_INVALID',
      'codes, rollup, since and until select among all the letters (all: true); with ids, name the letters alone',
      { details: { ids: options.ids?.length } },
    );
  checkFilter(filter);
  const pageSize = letterPageSize(options);
  const store: DeadLetterTable = { client: options.client, table: options.deadLetterTable };
  const rollups = compiledOf(options.rollups);
  // the given definitions by name, to place a flusher's UNKNOWN_ROLLUP rows as the flush would have (placed-delta.ts)
  const placing = new Map<string, CompiledRollup[]>();
  for (const c of rollups) placing.set(c.name, [...(placing.get(c.name) ?? []), c]);
  // the versions to write, read once (as the stream side reads them for a batch), when a letter needs a fold
  let targets: ReplayTarget[] | undefined;
  const targetsNow = async (): Promise<ReplayTarget[]> => {
    targets ??= replayTargets(
      rollups,
      await readControls(options.client, options.table, [...new Set(rollups.map((r) => r.name))]),
    );
    return targets;
  };
  const claims: Omit<ReplayClaims, 'ttlSeconds' | 'now'> = {
    client: options.client,
    aggregateTable: options.table,
    table: options.claimTable,
    marginMs,
    bound: new Set(),
  };
  // the rows' TTLs come from these rollups: their retention histories hold them before a row is written
  let recorder: RetentionRecorder | undefined;
  const recordRetentions = async (now: number): Promise<void> => {
    recorder ??= new RetentionRecorder({
      client: options.client,
      table: options.table,
      rollups: (await targetsNow()).map((t) => t.compiled),
      retry: options.retry,
    });
    await recorder.ensure(now);
  };
  const replay = (letter: StoredDeadLetter): Promise<ReplayResult> =>
    replayOne(options, store, targetsNow, claims, letter, recordRetentions, placing);
  if (byIds) {
    const letters = (await getDeadLetters(store, options.ids ?? [], options)).map((l) => ({
      l,
      seq: l.sequenceNumber,
      at: l.at,
      pk: l.key.pk,
      sk: l.key.sk,
    }));
    for (const { l } of letters.sort(compareReplayOrder)) {
      if (options.signal?.aborted === true) return;
      yield await replay(l);
    }
    return;
  }
  if (options.all !== true) return;
  for (const key of await replayIndex(store, { ...filter, replayed: false }, pageSize, options.signal)) {
    if (options.signal?.aborted === true) return;
    const letter = await rereadDeadLetter(store, key);
    // dropped since the index was read: nothing to count
    if (letter === undefined) {
      yield { id: letterId(key), outcome: 'not-found', rows: 0, extrema: 0 };
      continue;
    }
    if (filter.rollup !== undefined && !letterOfRollup(letter, filter.rollup)) continue;
    yield await replay(letter);
  }
}

/**
 * The given rollups by name, for sizing a letter's deltas rows ({@link deltaRowBytes}; the widest of a name's
 * definitions, {@link deltaRollupsByName}); built once per options.
 */
const rollupsByName = new WeakMap<ReplayDeadLettersOptions, ReadonlyMap<string, CompiledRollup>>();
function deltaRollups(options: ReplayDeadLettersOptions): ReadonlyMap<string, CompiledRollup> {
  let m = rollupsByName.get(options);
  if (m === undefined) {
    m = deltaRollupsByName(compiledOf(options.rollups));
    rollupsByName.set(options, m);
  }
  return m;
}

const errorText = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : String(e ?? 'unknown error');

/**
 * Notes a failed replay on the letter: its time, and with `code` and `reason` those (a replay's own failure, the
 * letter's code kept); without them the time alone, the letter's code and reason as dead-lettered (a record still
 * poison: its original code is what the letter is about, the new one is in the replay's result).
 */
async function noteFailure(
  store: DeadLetterTable,
  letter: StoredDeadLetter,
  code: string | undefined,
  reason: string | undefined,
  now: number,
): Promise<boolean> {
  const texts = code !== undefined && reason !== undefined;
  try {
    await withRetry(() =>
      store.client.send(
        new UpdateItemCommand({
          TableName: store.table,
          Key: { pk: { S: letter.key.pk }, sk: { S: letter.key.sk } },
          UpdateExpression: texts ? 'SET #c = :c, #r = :r, #l = :l' : 'SET #l = :l',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#done)',
          ExpressionAttributeNames: {
            ...(texts ? { '#c': 'code', '#r': 'reason' } : {}),
            '#l': 'lastReplayAt',
            '#pk': 'pk',
            '#done': 'replayedAt',
          },
          ExpressionAttributeValues: {
            ...(texts ? { ':c': { S: code.slice(0, 200) }, ':r': { S: reason.slice(0, 4_000) } } : {}),
            ':l': { N: String(now) },
          },
        }),
      ),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Refuses a letter part-replayed with a cut of other rows: noted on it, nothing sent. */
async function refuseOtherCut(
  store: DeadLetterTable,
  letter: StoredDeadLetter,
  now: number,
): Promise<ReplayResult> {
  const reason = `replay refused: an earlier replay of this letter committed ${letter.replayedChunks.length} of its transactions, cut from other rows than the rollups given now make (a rollup added, removed or changed since); replaying it now would count those rows again. Replay it with the rollups of that replay`;
  await noteFailure(store, letter, letter.code, reason, now);
  return { id: letter.id, outcome: 'failed', rows: 0, extrema: 0, code: letter.code, reason };
}

async function replayOne(
  options: ReplayDeadLettersOptions,
  store: DeadLetterTable,
  targetsNow: () => Promise<readonly ReplayTarget[]>,
  claims: Omit<ReplayClaims, 'ttlSeconds' | 'now'>,
  letter: StoredDeadLetter,
  recordRetentions: (now: number) => Promise<void>,
  placing: ReadonlyMap<string, readonly CompiledRollup[]>,
): Promise<ReplayResult> {
  const id = letter.id;
  const now = options.now?.() ?? Date.now();
  if (letter.replayedAt !== undefined) return { id, outcome: 'already-replayed', rows: 0, extrema: 0 };
  const fromBackfill = backfillLetterRefusal(letter);
  if (fromBackfill !== undefined) {
    await noteFailure(store, letter, letter.code, fromBackfill, now);
    return { id, outcome: 'failed', rows: 0, extrema: 0, code: letter.code, reason: fromBackfill };
  }
  const late = options.replayLate === true ? undefined : lateLetterRefusal(letter, options.redelivery);
  if (late !== undefined) {
    await noteFailure(store, letter, letter.code, late, now);
    return { id, outcome: 'failed', rows: 0, extrema: 0, code: letter.code, reason: late, late: true };
  }
  const ttlSeconds = Math.floor((now + CLAIM_TTL_MS) / 1000);
  // the versions to write concern the whole call: read (or refused) outside the letter's own catch below
  if (letter.deltas === undefined) await targetsNow();
  let planned: Awaited<ReturnType<typeof planReplay>>;
  try {
    planned = await planReplay(targetsNow, { ...claims, ttlSeconds, now }, letter, now, placing);
  } catch (e) {
    // this letter's own problem (a delta DynamoDB cannot hold): noted on it, and the replay goes on with the others
    if (!isLetterRefusal(e)) throw e;
    planned = { kind: 'poison', code: e.code, reason: e.message };
  }
  if (planned.kind === 'poison') {
    // the letter keeps the code and reason it was dead-lettered with; the new ones are in the result
    await noteFailure(store, letter, undefined, undefined, now);
    return { id, outcome: 'still-poison', rows: 0, extrema: 0, code: planned.code, reason: planned.reason };
  }
  await recordRetentions(now);
  const retry = options.retry ?? {};
  // min / max / last first: idempotent, and after the marker commits nothing would send them again
  for (const e of planned.extrema) {
    try {
      await withRetry(
        () => options.client.send(new UpdateItemCommand(extremumUpdateParams(options.table, e, { now }))),
        retry,
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) continue; // the stored value already wins
      const reason = `replay failed: ${errorText(err)}`;
      if (isRetryable(err)) throw err;
      await noteFailure(store, letter, letter.code, reason, now);
      return { id, outcome: 'failed', rows: 0, extrema: 0, code: letter.code, reason };
    }
  }
  // within DynamoDB's 4 MB of items a transaction: each row at the most it can hold, the letter's item with it (a
  // letter's deltas rows at their rollup's bound, which releases before counted at 400 KB: a replay they began
  // resumes with their cut)
  const marker = (updates: number) => letterItemBound(letter.baseBytes, updates);
  const chunks = replayCut(
    planned.rows,
    {
      row: (r) => planned.rowBytes.get(`${r.pk}\n${r.sk}`) ?? deltaRowBytes(r, deltaRollups(options)),
      marker,
    },
    letter,
    [{ row: (r) => planned.rowBytes.get(`${r.pk}\n${r.sk}`) ?? DYNAMO_LIMITS.itemBytes, marker }],
  );
  const plan = replayPlanDigest(chunks);
  // an interrupted replay cut the letter otherwise (other rollups since): its committed chunks match none of these
  if (letter.replayedChunks.length > 0 && letter.replayPlan !== undefined && letter.replayPlan !== plan)
    return refuseOtherCut(store, letter, now);
  const marked = new Set(letter.replayedChunks);
  // rows the release before rows were cut counted whole, in a chunk it marked: their further parts are counted
  const whole = new Set<string>();
  for (const ch of chunks)
    if (ch.legacyId !== undefined && marked.has(ch.legacyId))
      for (const r of ch.updates) whole.add(`${r.pk}\n${r.sk}`);
  const written = new Set<string>();
  for (let c = 0; c < chunks.length; c++) {
    const { id: chunkId, legacyId, updates } = chunks[c] as (typeof chunks)[number];
    if (chunkId !== undefined && (marked.has(chunkId) || (legacyId !== undefined && marked.has(legacyId))))
      continue;
    const chunk = updates.filter(
      (r) =>
        !whole.has(`${r.pk}\n${r.sk}`) &&
        !(planned.skipExpired && r.ttl !== undefined && r.ttl * 1000 <= now),
    );
    const items: TransactWriteItem[] = chunk.map((r) => ({ Update: replayRowUpdate(options.table, r, now) }));
    items.push({
      Update: replayMarkerUpdate(
        store.table,
        letter.key,
        now,
        chunkId === undefined ? undefined : { id: chunkId, last: c === chunks.length - 1, plan },
      ),
    });
    try {
      await withRetry(
        () => options.client.send(new TransactWriteItemsCommand({ TransactItems: items })),
        retry,
      );
      for (const r of chunk) written.add(`${r.pk}\n${r.sk}`);
    } catch (err) {
      const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []) : [];
      if (reasons[items.length - 1]?.Code === 'ConditionalCheckFailed') {
        const fresh = await rereadDeadLetter(store, letter.key);
        if (fresh === undefined)
          return { id, outcome: 'not-found', rows: written.size, extrema: planned.extrema.length };
        if (fresh.replayedAt !== undefined)
          return {
            id,
            outcome: written.size > 0 ? 'replayed' : 'already-replayed',
            rows: written.size,
            extrema: 0,
          };
        if (chunkId !== undefined && fresh.replayedChunks.includes(chunkId)) continue; // a concurrent replay did it
        if (fresh.replayPlan !== undefined && fresh.replayPlan !== plan)
          return refuseOtherCut(store, fresh, now);
      }
      if (isRetryable(err)) throw err;
      const reason = `replay failed: ${errorText(err)}${reasons.length > 0 ? ` (${reasons.map((r) => r?.Code ?? 'None').join(', ')})` : ''}`;
      await noteFailure(store, letter, letter.code, reason, now);
      return {
        id,
        outcome: 'failed',
        rows: written.size,
        extrema: planned.extrema.length,
        code: letter.code,
        reason,
      };
    }
  }
  return { id, outcome: 'replayed', rows: written.size, extrema: planned.extrema.length };
}
