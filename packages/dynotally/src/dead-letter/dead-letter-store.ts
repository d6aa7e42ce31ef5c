import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { checkFilter, type DeadLetterFilter, letterOfRollup, scanFilter } from './letter-filter.ts';
import {
  decodeLetter,
  ID_ENTRY_SK,
  idEntryKey,
  letterId,
  partKeys,
  type StoredDeadLetter,
} from './letter-item.ts';
import { compareReplayOrder, type ReplayOrderKey } from './replay-order.ts';
import { DROPPED_ATTR, isTombstone, tombstoneParams } from './tombstone.ts';

type Item = Record<string, AttributeValue>;

/**
 * Where the dead letters are: your client and the dead-letter table.
 *
 * @example
 * ```ts
 * const store: DeadLetterTable = { client, table: 'dynotally-dead-letters' };
 * ```
 */
export interface DeadLetterTable {
  readonly client: DynamoDBClient;
  readonly table: string;
}

/**
 * How ids without an id entry are looked for by {@link getDeadLetters}, {@link dropDeadLetters} and
 * `replayDeadLetters({ ids })`. A letter stored by a release before 0.2.0 has no id entry: such an id (or one of no
 * letter at all) is looked for by a scan of the table's keys, stopped once every such id is found. `scan: false`
 * skips it (the id is then not found, at the cost of two reads); `onScan` hears how far it got after each page.
 *
 * @example
 * ```ts
 * const options: IdLookupOptions = { scan: true, onScan: (p) => console.error(`${p.itemsRead} items scanned`) };
 * ```
 */
export interface IdLookupOptions {
  /** Scan the table's keys for ids without an entry (letters stored before 0.2.0); default true. */
  readonly scan?: boolean | undefined;
  /** Called once the scan starts (`itemsRead` 0), after each page it reads, and when it ends (`done`). */
  readonly onScan?: ((progress: IdScanProgress) => void) | undefined;
}

/**
 * How far the scan for ids without an entry got ({@link IdLookupOptions.onScan}).
 *
 * @example
 * ```ts
 * const p: IdScanProgress = { ids: ['9f3c0a1b2c3d4e5f'], itemsRead: 12_000, found: 0, done: false };
 * ```
 */
export interface IdScanProgress {
  /** The ids looked for (those without an entry). */
  readonly ids: readonly string[];
  /** Items of the table the scan has read so far (every kind: letters, parts, entries). */
  readonly itemsRead: number;
  /** How many of `ids` it found. */
  readonly found: number;
  /** True once the scan ended (every id found, or the table read to its end). */
  readonly done: boolean;
}

/**
 * Options of {@link listDeadLetters}: the table and which letters ({@link DeadLetterFilter}).
 *
 * @example
 * ```ts
 * const options: ListDeadLettersOptions = { client, table: 'dynotally-dead-letters', replayed: false, codes: ['ROW_REJECTED'] };
 * ```
 */
export interface ListDeadLettersOptions extends DeadLetterTable, DeadLetterFilter {}

/**
 * Options of {@link deadLetterPages}.
 *
 * @example
 * ```ts
 * const options: DeadLetterPagesOptions = { client, table: 'dynotally-dead-letters', replayed: false, pageSize: 100 };
 * ```
 */
export interface DeadLetterPagesOptions extends ListDeadLettersOptions {
  /** Items one scan request reads (its `Limit`): a page holds at most this many letters. Default 100, at most 1,000. */
  readonly pageSize?: number | undefined;
  /**
   * The most letters to yield in all (a positive whole number; default every letter). No letter past it is read
   * whole (its parts) and the scan reads no more items than it needs: a request's `Limit` starts at the letters still
   * wanted and doubles, up to `pageSize`, while requests come back with fewer (items filtered out, parts, id entries).
   * `dynotally dead-letters list --limit` uses it.
   */
  readonly limit?: number | undefined;
}

/** Items a scan request of {@link deadLetterPages} reads by default. */
export const DEFAULT_LETTER_PAGE_SIZE = 100;

/**
 * The page size of `options`, checked (`CONFIG_INVALID` unless a whole number from 1 to 1,000).
 *
 * @example
 * ```ts
 * letterPageSize({ pageSize: 25 }); // 25
 * ```
 */
export function letterPageSize(options: { readonly pageSize?: number | undefined }): number {
  const n = options.pageSize ?? DEFAULT_LETTER_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > 1_000)
    throw new DynotallyError('CONFIG_INVALID', `pageSize must be a whole number from 1 to 1,000 (got ${n})`, {
      details: { pageSize: n },
    });
  return n;
}

async function readParts(store: DeadLetterTable, main: Item): Promise<Item[]> {
  const parts: Item[] = [];
  for (const Key of partKeys(main)) {
    const out = await withRetry(() =>
      store.client.send(new GetItemCommand({ TableName: store.table, Key, ConsistentRead: true })),
    );
    if (out.Item !== undefined) parts.push(out.Item);
  }
  return parts;
}

/**
 * The dead letters a page at a time (consistent scan requests of `pageSize` items; part items joined to their
 * letter; tombstones left out), filtered ({@link DeadLetterFilter}: replayed state, codes and time by DynamoDB, the
 * rollup here). Memory holds one page: use it for tables of any size, where {@link listDeadLetters} holds every
 * letter. Pages come in table order: each stream shard's letters in key order (its sequence numbers), the shards in
 * no particular order; a page may hold fewer letters than `pageSize` (filtered out), and empty pages are skipped.
 * Stop early with `break`.
 *
 * @example
 * ```ts
 * for await (const page of deadLetterPages({ client, table: 'dynotally-dead-letters', replayed: false, codes: ['RETRIES_EXHAUSTED'] }))
 *   for (const l of page) console.log(l.id, l.code, l.reason);
 * ```
 */
export async function* deadLetterPages(options: DeadLetterPagesOptions): AsyncGenerator<StoredDeadLetter[]> {
  checkFilter(options);
  const pageSize = letterPageSize(options);
  const limit = options.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `limit must be a whole number of letters, at least 1 (got ${limit})`,
      {
        details: { limit },
      },
    );
  let left = limit ?? Number.POSITIVE_INFINITY;
  // the next request's Limit: the letters still wanted, doubled after each request that fell short, up to pageSize
  let reach = Math.min(pageSize, left);
  for await (const items of scanPages(options, options, () => reach)) {
    const page: StoredDeadLetter[] = [];
    for (const main of items) {
      if (left <= 0) break; // read no letter past the limit whole
      const letter = decodeLetter(main, await readParts(options, main));
      if (options.replayed !== undefined && options.replayed !== (letter.replayedAt !== undefined)) continue;
      if (options.rollup !== undefined && !letterOfRollup(letter, options.rollup)) continue;
      page.push(letter);
      left -= 1;
    }
    if (page.length > 0) yield page;
    if (left <= 0) return;
    reach = Math.min(pageSize, Math.max(left, reach * 2));
  }
}

/**
 * Every dead letter in the table (a consistent scan; part items are joined to their letter), oldest first, filtered
 * as {@link deadLetterPages} filters them. The tombstones of dropped letters ({@link dropDeadLetters}) are no letters
 * and are left out. It holds every selected letter, body included, to sort them: for a large table page through
 * {@link deadLetterPages} instead.
 *
 * @example
 * ```ts
 * for (const l of await listDeadLetters({ client, table: 'dynotally-dead-letters', replayed: false }))
 *   console.log(l.id, l.code, l.reason);
 * ```
 */
export async function listDeadLetters(options: ListDeadLettersOptions): Promise<StoredDeadLetter[]> {
  const out: StoredDeadLetter[] = [];
  for await (const page of deadLetterPages({ ...options, pageSize: 1_000 })) out.push(...page);
  return out.sort(byTimeThenStream);
}

/**
 * The scan's pages of main items (parts, id entries and tombstones left out, `filter` applied by DynamoDB), not
 * decoded; `limit` is each request's `Limit` (a function: asked before each request); `scanned` hears each page's
 * `ScannedCount` (the items it read, filtered out or not).
 */
async function* scanPages(
  store: DeadLetterTable,
  filter: DeadLetterFilter,
  limit: number | (() => number) | undefined,
  projection?: string,
  scanned?: (items: number) => void,
): AsyncGenerator<Item[]> {
  const f = scanFilter(filter);
  if (projection?.includes('#at') === true) f.ExpressionAttributeNames['#at'] = 'at';
  let start: Item | undefined;
  do {
    const Limit = typeof limit === 'function' ? limit() : limit;
    const page = await withRetry(() =>
      store.client.send(
        new ScanCommand({
          TableName: store.table,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...(Limit === undefined ? {} : { Limit }),
          ...f,
          ...(projection === undefined ? {} : { ProjectionExpression: projection }),
        }),
      ),
    );
    scanned?.(page.ScannedCount ?? page.Items?.length ?? 0);
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

/**
 * The keys of the selected letters in replay order ({@link compareReplayOrder}), read with a projection (keys,
 * sequence number, time: no body, no part), a page of `pageSize` items at a time. Memory holds one small entry per
 * selected letter (its keys, a few hundred bytes at most), never a body. The rollup filter is not applied (it needs
 * the body): the caller applies it as it reads each letter. Once `signal` is aborted it stops between two pages.
 */
export async function replayIndex(
  store: DeadLetterTable,
  filter: DeadLetterFilter,
  pageSize: number,
  signal?: AbortSignal,
): Promise<ReplayOrderKey[]> {
  const out: ReplayOrderKey[] = [];
  const shards = new Map<string, string>(); // one string per partition key, shared by its letters
  for await (const items of scanPages(store, filter, pageSize, 'pk, sk, seq, #at')) {
    for (const item of items) {
      const rawPk = item.pk?.S ?? '';
      let pk = shards.get(rawPk);
      if (pk === undefined) {
        pk = rawPk;
        shards.set(pk, pk);
      }
      const sk = item.sk?.S ?? '';
      const seq = item.seq?.S ?? sk;
      out.push({ pk, sk, seq: seq === sk ? sk : seq, at: Number(item.at?.N ?? 0) });
    }
    if (signal?.aborted === true) break; // the replay stops before its first letter: the rest of the index unread
  }
  return out.sort(compareReplayOrder);
}

/**
 * The letter `id`'s key, from its id entry (`idEntry`, one consistent `GetItem`): `undefined` when the table
 * has no entry for it (no such letter, or one stored by a release before 0.2.0, which wrote none).
 */
async function keyOfId(
  store: DeadLetterTable,
  id: string,
): Promise<{ readonly pk: string; readonly sk: string } | undefined> {
  const out = await withRetry(() =>
    store.client.send(
      new GetItemCommand({ TableName: store.table, Key: idEntryKey(id), ConsistentRead: true }),
    ),
  );
  const pk = out.Item?.letterPk?.S;
  const sk = out.Item?.letterSk?.S;
  if (pk === undefined || sk === undefined || out.Item?.partOf?.S !== ID_ENTRY_SK) return undefined;
  return letterId({ pk, sk }) === id ? { pk, sk } : undefined;
}

/**
 * The letters with the given ids, decoded with their parts; no other letter is read (review s41e, s43d). Each id is
 * read by key: its id entry, then the letter (and its parts), so a table of any size costs two reads an id (review
 * s43d). An id without an entry — a letter stored by a release before 0.2.0, or no letter at all — is looked for
 * as before: one scan of the keys (a projection, a page at a time), stopped once every such id is found, each found
 * letter read by its key. Ids not found are absent from the map.
 */
async function lettersById(
  store: DeadLetterTable,
  ids: readonly string[],
  lookup: IdLookupOptions = {},
): Promise<{ letters: Map<string, StoredDeadLetter>; scan: IdScanOutcome }> {
  const out = new Map<string, StoredDeadLetter>();
  const unindexed = new Set<string>();
  for (const id of new Set(ids)) {
    const key = await keyOfId(store, id);
    if (key === undefined) {
      unindexed.add(id);
      continue;
    }
    // an entry outlives a dropped letter (its tombstone) and an expired one: then the id is not found
    const letter = await rereadDeadLetter(store, key);
    if (letter !== undefined) out.set(id, letter);
  }
  if (unindexed.size === 0) return { letters: out, scan: { unindexed: [] } };
  const looked = [...unindexed];
  if (lookup.scan === false) return { letters: out, scan: { unindexed: looked } };
  let found = 0;
  let itemsRead = 0;
  const tell = (done: boolean) => lookup.onScan?.({ ids: looked, itemsRead, found, done });
  tell(false);
  const pages = scanPages(store, {}, DEFAULT_LETTER_PAGE_SIZE * 10, 'pk, sk', (n) => {
    itemsRead += n;
  });
  for await (const items of pages) {
    for (const main of items) {
      const key = { pk: main.pk?.S ?? '', sk: main.sk?.S ?? '' };
      const id = letterId(key);
      if (!unindexed.has(id) || out.has(id)) continue;
      found += 1;
      const letter = await rereadDeadLetter(store, key);
      if (letter !== undefined) out.set(id, letter);
    }
    if (found === unindexed.size) break;
    tell(false);
  }
  tell(true);
  return { letters: out, scan: { unindexed: looked, itemsRead } };
}

/** Which ids had no entry, and how many items the scan for them read (absent: not scanned, `scan: false`). */
interface IdScanOutcome {
  readonly unindexed: readonly string[];
  readonly itemsRead?: number;
}

/** What a not-found message says of the ids without an entry: scanned for (how far), or not. */
function scanNote(scan: IdScanOutcome, missing: readonly string[]): string {
  const unindexed = missing.filter((id) => scan.unindexed.includes(id));
  if (unindexed.length === 0) return '';
  const n = unindexed.length === 1 ? 'it has' : 'they have';
  return scan.itemsRead === undefined
    ? ` (${n} no id entry, and the scan for letters stored before 0.2.0 was skipped)`
    : ` (${n} no id entry: the scan for letters stored before 0.2.0 read ${scan.itemsRead.toLocaleString('en-US')} items of the table)`;
}

const seqKey = (s: string | undefined): string => (s ?? '').padStart(40, '0');

/** Oldest first; letters of one batch (one `at`) in stream order: shard, then sequence number. */
function byTimeThenStream(a: StoredDeadLetter, b: StoredDeadLetter): number {
  if (a.at !== b.at) return a.at - b.at;
  const shard = (a.shardId ?? '').localeCompare(b.shardId ?? '');
  if (shard !== 0) return shard;
  const sa = seqKey(a.sequenceNumber);
  const sb = seqKey(b.sequenceNumber);
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The dead letters with the given ids (from {@link listDeadLetters} or `dynotally dead-letters list`);
 * throws `DEAD_LETTER_NOT_FOUND` naming the ids that are not in the table. Each id is read by key (its id entry,
 * then the letter and its parts: two reads an id, whatever the table holds); only an id without an entry (a letter
 * stored before 0.2.0, or no letter) costs a scan of the table's keys.
 *
 * @example
 * ```ts
 * const [letter] = await getDeadLetters({ client, table: 'dynotally-dead-letters' }, ['9f3c0a1b2c3d4e5f']);
 * ```
 */
export async function getDeadLetters(
  store: DeadLetterTable,
  ids: readonly string[],
  lookup: IdLookupOptions = {},
): Promise<StoredDeadLetter[]> {
  const { letters: byId, scan } = await lettersById(store, ids, lookup);
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0)
    throw new DynotallyError(
      'DEAD_LETTER_NOT_FOUND',
      `no dead letter ${missing.join(', ')} in '${store.table}'${scanNote(scan, missing)}: list them with \`dynotally dead-letters list\` (a dropped or expired letter is gone)`,
      {
        details: {
          ids: missing,
          table: store.table,
          ...(scan.unindexed.length === 0 ? {} : { scannedItems: scan.itemsRead ?? null }),
        },
      },
    );
  return ids.map((id) => byId.get(id) as StoredDeadLetter);
}

/**
 * Reads one stored letter again (consistent), or `undefined` when it was dropped (gone, or a tombstone).
 *
 * @example
 * ```ts
 * const now = await rereadDeadLetter(store, letter.key);
 * ```
 */
export async function rereadDeadLetter(
  store: DeadLetterTable,
  key: { readonly pk: string; readonly sk: string },
): Promise<StoredDeadLetter | undefined> {
  const out = await withRetry(() =>
    store.client.send(
      new GetItemCommand({
        TableName: store.table,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ConsistentRead: true,
      }),
    ),
  );
  if (out.Item === undefined || isTombstone(out.Item)) return undefined;
  return decodeLetter(out.Item, await readParts(store, out.Item));
}

/**
 * What {@link dropDeadLetters} did with each id.
 *
 * @example
 * ```ts
 * const outcome: DropOutcome = 'dropped';
 * ```
 */
export type DropOutcome = 'dropped' | 'not-found' | 'half-replayed';

/**
 * Drops dead letters: each letter's parts are deleted and its item becomes a tombstone (its body removed, kept at its
 * key until the letter's own `ttl`: tombstone.ts), so a writer that sends the same letter again meanwhile — a re-run
 * of the Redis flush that stored it, which failed after storing it — finds the key taken and stores nothing, and no
 * dropped letter comes back to be replayed or counted by hand again. Listing, replay and the CLI skip tombstones. A
 * letter whose replay committed some chunks but not all is kept (`half-replayed`: replay it again to finish) unless
 * `force` is set, so a drop racing a replay never leaves a record half counted without anyone knowing.
 *
 * @example
 * ```ts
 * await dropDeadLetters({ client, table: 'dynotally-dead-letters' }, ['9f3c0a1b2c3d4e5f']);
 * ```
 */
export async function dropDeadLetters(
  store: DeadLetterTable,
  ids: readonly string[],
  options: { force?: boolean } & IdLookupOptions = {},
): Promise<Array<{ id: string; outcome: DropOutcome }>> {
  const { letters: all } = await lettersById(store, ids, options);
  const out: Array<{ id: string; outcome: DropOutcome }> = [];
  for (const id of ids) {
    const letter = all.get(id);
    if (letter === undefined) {
      out.push({ id, outcome: 'not-found' });
      continue;
    }
    const now = Date.now();
    try {
      const res = await withRetry(() =>
        store.client.send(
          new UpdateItemCommand(tombstoneParams(store.table, letter.key, now, options.force === true)),
        ),
      );
      for (const part of partKeys(res.Attributes ?? {}))
        await withRetry(() =>
          store.client.send(new DeleteItemCommand({ TableName: store.table, Key: part })),
        );
      out.push({ id, outcome: 'dropped' });
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      // this drop's own tombstone (its reply lost, the retry refused: the parts expire with their ttl), gone meanwhile
      // (expired, dropped by another), or part-replayed since it was listed
      const item = e.Item;
      if (item?.[DROPPED_ATTR]?.N === String(now)) out.push({ id, outcome: 'dropped' });
      else out.push({ id, outcome: item === undefined || isTombstone(item) ? 'not-found' : 'half-replayed' });
    }
  }
  return out;
}
