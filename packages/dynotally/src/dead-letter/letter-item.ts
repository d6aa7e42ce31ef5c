import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { itemSizeBytes } from '../cost/item-size.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { DeadLetter, DeadLetterDelta, DeadLetterRow } from './dead-letter.ts';

/** Largest compressed body kept in one item (DynamoDB items hold 400 KB; the rest is headroom). */
export const PART_BYTES = 300_000;
/** More parts than this and the record is truncated to what replay needs. */
export const MAX_PARTS = 32;
const TEXT_BYTES = 4_000;
const PK_BYTES = 1_024;
const SK_BYTES = 512;

type Item = Record<string, AttributeValue>;

/** The main item's attributes a replay writes (a failed one notes its code, reason and time; each chunk its marks). */
const REPLAY_WRITTEN = ['code', 'reason', 'lastReplayAt', 'replayedAt', 'replayedChunks', 'replayPlan'];
/**
 * The most bytes those take, but the chunks' ids: a noted code and reason (200 and 4,000 UTF-16 units, 3 bytes
 * each at most), two times and the plan's digest, with their names.
 */
const REPLAY_WRITTEN_BYTES = 4 + 600 + 6 + 12_000 + 12 + 21 + 10 + 21 + 10 + 22 + 14 + 3;
/** One chunk's id in `replayedChunks` (`<c>/<first>+<later>:<16 hex>`, about 40 characters at most), rounded up. */
const CHUNK_ID_BYTES = 48;

/**
 * The most bytes a letter's main item can hold while a replay marks it, the item counting in each of the
 * replay's transactions: its {@link StoredDeadLetter.baseBytes}, what a replay writes on it, and an id for each
 * of at most `chunks` chunks; at most 400 KB. The same for a letter before and after a replay of it.
 *
 * @example
 * ```ts
 * letterItemBound(letter.baseBytes, 120); // 120 updates: e.g. 1_500 + 12_723 + 120 × 48
 * ```
 */
export function letterItemBound(baseBytes: number, chunks: number): number {
  return Math.min(DYNAMO_LIMITS.itemBytes, baseBytes + REPLAY_WRITTEN_BYTES + chunks * CHUNK_ID_BYTES);
}

/**
 * A dead letter as read back from the dead-letter table.
 *
 * @example
 * ```ts
 * const [first] = await listDeadLetters({ client, table: 'dynotally-dead-letters' });
 * console.log(first.id, first.code, first.replayedAt === undefined ? 'pending' : 'replayed');
 * ```
 */
export interface StoredDeadLetter {
  /** Short stable id (16 hex digits of the item key's hash): what the CLI shows and takes. */
  readonly id: string;
  readonly key: { readonly pk: string; readonly sk: string };
  readonly source: string;
  readonly shardId: string | undefined;
  readonly sequenceNumber: string;
  readonly eventId: string | undefined;
  readonly code: string;
  readonly reason: string;
  readonly at: number;
  readonly record: DynamoDBRecord | undefined;
  readonly pendingRows: readonly DeadLetterRow[] | undefined;
  readonly deltas: readonly DeadLetterDelta[] | undefined;
  /** The record was too large even compressed and split: only its keys, sequence number and kind are kept. */
  readonly truncated: boolean;
  /**
   * Why the letter's body cannot be read, when it cannot: a part item gone (DynamoDB's TTL deletes a letter's items
   * one by one, in no order, within days of its `ttl`; a drop deletes the parts after the letter), or a body that
   * does not decompress. `record`, `pendingRows` and `deltas` are then absent: such a letter is listed, shown and
   * dropped, never replayed (`still-poison`, `DEAD_LETTER_NOT_REPLAYABLE`). Absent for a readable letter.
   */
  readonly unreadable?: string | undefined;
  /** Epoch ms of the replay that counted it; absent while it is still to be replayed. */
  readonly replayedAt: number | undefined;
  /** Chunks of a large replay already committed (each with its own marker). */
  readonly replayedChunks: readonly string[];
  /**
   * The digest of the chunks that replay was cut into (`replayPlanDigest`), set by its first committed chunk:
   * a later replay that would cut other chunks (other rollups) is refused rather than count a chunk twice.
   * Absent before a chunk commits, and on letters part-replayed by a release that did not record it.
   */
  readonly replayPlan: string | undefined;
  /**
   * Bytes of the main item less the attributes a replay writes on it (`code`, `reason` and `lastReplayAt` when it
   * fails, its marks): the same before and after any replay, so a resumed replay cuts the same transactions
   * ({@link letterItemBound}).
   */
  readonly baseBytes: number;
}

/**
 * Items to store for one letter: the main item, for a large body its parts (written first), and its id entry
 * ({@link idEntry}: the letter found by its id with one `GetItem`).
 */
export interface LetterItems {
  readonly key: { readonly pk: string; readonly sk: string };
  readonly main: Item;
  readonly parts: Item[];
  readonly entry: Item;
}

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/**
 * Stable short id of a dead-letter item key.
 *
 * @example
 * ```ts
 * letterId({ pk: 'arn:…|shardId-1', sk: '4200000000001' }); // '9f3c…' (16 hex digits)
 * ```
 */
export function letterId(key: { pk: string; sk: string }): string {
  return sha(`${key.pk}\n${key.sk}`).slice(0, 16);
}

/**
 * The `sk` of every id entry; also its `partOf`, so every scan of letters leaves the entries out, as it does parts.
 *
 * @example
 * ```ts
 * const isEntry = item.partOf?.S === ID_ENTRY_SK;
 * ```
 */
export const ID_ENTRY_SK = '~id';

/**
 * The key of the id entry of letter `id`: `pk` = `~id|<id>`, `sk` = `~id`. A letter's `pk` is `<stream ARN>|<shard>`
 * and its `sk` a sequence number, so no letter of a stream has this key; a letter that had (a made-up source and
 * sequence number) is no entry: the reader checks `letterPk`.
 *
 * @example
 * ```ts
 * idEntryKey('9f3c0a1b2c3d4e5f'); // { pk: { S: '~id|9f3c0a1b2c3d4e5f' }, sk: { S: '~id' } }
 * ```
 */
export function idEntryKey(id: string): Item {
  return { pk: { S: `~id|${id}` }, sk: { S: ID_ENTRY_SK } };
}

/**
 * The id entry of a letter: a small item at {@link idEntryKey} naming the letter's key (`letterPk`, `letterSk`), so
 * `dead-letters show <id>` (and replay and drop by id) reads the letter by key instead of scanning the table (the id
 * is a hash of the key: it cannot give the key back). It has a `partOf` (the scans of letters skip it, a release that
 * did not write entries too) and the letter's `ttl`; a drop leaves it, pointing at the tombstone.
 *
 * @example
 * ```ts
 * const entry = idEntry({ pk: 'arn:…|shardId-1', sk: '4200000000001' }, 1_900_000_000);
 * ```
 */
export function idEntry(key: { pk: string; sk: string }, ttl: number): Item {
  return {
    ...idEntryKey(letterId(key)),
    partOf: { S: ID_ENTRY_SK },
    letterPk: { S: key.pk },
    letterSk: { S: key.sk },
    ttl: { N: String(ttl) },
  };
}

/** What identifies a letter's content (the same record dead-lettered again hashes the same). */
function contentHash(l: DeadLetter): string {
  return sha(JSON.stringify([l.record ?? null, l.deltas ?? null]));
}

/** A key part within `max` bytes: long values keep a prefix and a hash of the whole, so they stay distinct. */
function bounded(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let prefix = s.slice(0, Math.floor(max / 4));
  while (Buffer.byteLength(prefix) > max - 70) prefix = prefix.slice(0, -1);
  return `${prefix}~${sha(s)}`;
}

function text(s: unknown, max = TEXT_BYTES): string {
  const v = typeof s === 'string' ? s : s === undefined || s === null ? '' : String(s);
  if (Buffer.byteLength(v) <= max) return v;
  let cut = v.slice(0, max);
  while (Buffer.byteLength(cut) > max - 20) cut = cut.slice(0, -1);
  return `${cut} … (truncated)`;
}

/**
 * The sequence number the Applier gives a letter of a record that has none (`index-<n>`: its place in the ordered
 * batch, `toDeadLetter`). Only a `RECORD_MALFORMED` record lacks one, and a place is no identity: another batch of
 * the shard can hold another such record at the same place, and the same record redelivered beside one valid record
 * more sits one place later (`orderBatch` puts records without a sequence number last).
 */
const INDEX_SEQUENCE = /^index-\d+$/;

/**
 * The table key of a letter: `pk` = `<source>|<shard id>`, `sk` = the sequence number, or `~<hash of the
 * record>` when it has none, so the same record always lands on the same item and nothing is an empty key. A
 * place in a batch (`index-<n>`, a record without a sequence number) is keyed by the record's hash alone too: the
 * same record redelivered, at whatever place, lands on its own item (stored once, or turned away by its
 * tombstone), and another record at the same place of a later batch gets an item of its own. The letter still says
 * `index-<n>` (its `seq`).
 *
 * @example
 * ```ts
 * letterKey(letter); // { pk: 'arn:…/stream/…|shardId-1', sk: '4200000000001' }
 * letterKey(malformed); // { pk: 'arn:…/stream/…|shardId-1', sk: '~5d41402abc4b2a76…' }
 * ```
 */
export function letterKey(l: DeadLetter): { pk: string; sk: string } {
  const source = typeof l.source === 'string' ? l.source : '';
  const shard = typeof l.shardId === 'string' ? l.shardId : '';
  const seq = typeof l.sequenceNumber === 'string' ? l.sequenceNumber : '';
  return {
    pk: bounded(`${source}|${shard}`, PK_BYTES),
    sk: seq === '' || INDEX_SEQUENCE.test(seq) ? `~${contentHash(l).slice(0, 32)}` : bounded(seq, SK_BYTES),
  };
}

/**
 * Letters with distinct keys: the same record twice is kept once; two different records under one key (a
 * repeated sequence number) both stay, the later one keyed `<sequence>#<content hash>`.
 *
 * @example
 * ```ts
 * dedupeLetters([a, a, b]).length; // 2
 * ```
 */
export function dedupeLetters(
  letters: readonly DeadLetter[],
): Array<{ letter: DeadLetter; key: { pk: string; sk: string } }> {
  const seen = new Map<string, string>();
  const out: Array<{ letter: DeadLetter; key: { pk: string; sk: string } }> = [];
  for (const letter of letters) {
    if (letter === null || typeof letter !== 'object') continue;
    let key = letterKey(letter);
    const hash = contentHash(letter);
    const id = `${key.pk}\n${key.sk}`;
    const had = seen.get(id);
    if (had === hash) continue;
    if (had !== undefined) {
      key = { pk: key.pk, sk: bounded(`${key.sk}#${hash.slice(0, 16)}`, SK_BYTES) };
      const again = `${key.pk}\n${key.sk}`;
      if (seen.has(again)) continue;
      seen.set(again, hash);
    } else seen.set(id, hash);
    out.push({ letter, key });
  }
  return out;
}

/** The parts of a record replay needs when the whole cannot be stored. */
function essentials(record: DynamoDBRecord | undefined): unknown {
  if (record === undefined || record === null || typeof record !== 'object') return record ?? null;
  const d = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventSourceARN: record.eventSourceARN,
    dynamodb: d
      ? {
          Keys: d.Keys,
          SequenceNumber: d.SequenceNumber,
          ApproximateCreationDateTime: d.ApproximateCreationDateTime,
        }
      : undefined,
  };
}

const compress = (s: string): Buffer => gzipSync(Buffer.from(s), { level: 6 });

/**
 * The items that store a letter: one item with the gzip-compressed body (record, pending rows, deltas);
 * a body over {@link PART_BYTES} compressed goes to part items (`<sk>#part#<hash>#<i>`); a body over
 * {@link MAX_PARTS} parts is truncated to the record's keys and sequence number (flagged `truncated`); and its id
 * entry ({@link idEntry}).
 *
 * @example
 * ```ts
 * const { main, parts } = letterItems(letter, letterKey(letter), 14);
 * ```
 */
export function letterItems(
  l: DeadLetter,
  key: { pk: string; sk: string },
  retentionDays: number,
  limits: { partBytes?: number; maxParts?: number } = {},
): LetterItems {
  const partBytes = limits.partBytes ?? PART_BYTES;
  const most = partBytes * (limits.maxParts ?? MAX_PARTS);
  const at = Number.isFinite(l.at) ? Math.floor(l.at) : Date.now();
  const ttl = Math.floor(at / 1000) + Math.round(retentionDays * 86_400);
  let truncated = false;
  let z = compress(
    JSON.stringify({ record: l.record ?? null, pendingRows: l.pendingRows, deltas: l.deltas }),
  );
  if (z.length > most) {
    truncated = true;
    z = compress(
      JSON.stringify({ record: essentials(l.record), pendingRows: l.pendingRows, deltas: l.deltas }),
    );
    if (z.length > most) z = compress(JSON.stringify({ record: essentials(l.record) }));
  }
  const main: Item = {
    pk: { S: key.pk },
    sk: { S: key.sk },
    source: { S: text(l.source, PK_BYTES) },
    seq: { S: text(l.sequenceNumber, SK_BYTES) },
    code: { S: text(l.code, 200) || 'UNKNOWN' },
    reason: { S: text(l.reason) },
    at: { N: String(at) },
    ttl: { N: String(ttl) },
  };
  if (typeof l.shardId === 'string' && l.shardId !== '') main.shardId = { S: text(l.shardId, SK_BYTES) };
  if (typeof l.eventId === 'string' && l.eventId !== '') main.eventId = { S: text(l.eventId, SK_BYTES) };
  if (truncated) main.truncated = { BOOL: true };
  const parts: Item[] = [];
  if (z.length <= partBytes) main.body = { B: z };
  else {
    const hash = sha(z).slice(0, 16);
    const n = Math.ceil(z.length / partBytes);
    for (let i = 0; i < n; i++) {
      parts.push({
        pk: { S: key.pk },
        sk: { S: `${key.sk}#part#${hash}#${i}` },
        partOf: { S: key.sk },
        body: { B: z.subarray(i * partBytes, (i + 1) * partBytes) },
        ttl: { N: String(ttl) },
      });
    }
    main.parts = { N: String(n) };
    main.partsId = { S: hash };
  }
  return { key, main, parts, entry: idEntry(key, ttl) };
}

/**
 * The key of every part item of a stored main item (to read or delete them).
 *
 * @example
 * ```ts
 * for (const k of partKeys(item)) await client.send(new DeleteItemCommand({ TableName, Key: k }));
 * ```
 */
export function partKeys(main: Item): Item[] {
  const n = Number(main.parts?.N ?? 0);
  const hash = main.partsId?.S;
  const pk = main.pk?.S;
  const sk = main.sk?.S;
  if (!(n > 0) || hash === undefined || pk === undefined || sk === undefined) return [];
  return Array.from({ length: n }, (_, i) => ({ pk: { S: pk }, sk: { S: `${sk}#part#${hash}#${i}` } }));
}

/**
 * A stored letter from its main item and its parts (in order).
 *
 * @example
 * ```ts
 * const letter = decodeLetter(item, []);
 * ```
 */
export function decodeLetter(main: Item, parts: readonly Item[]): StoredDeadLetter {
  const pk = main.pk?.S ?? '';
  const sk = main.sk?.S ?? '';
  const { body, record, unreadable } = readBody(main, parts);
  const bar = pk.lastIndexOf('|');
  return {
    id: letterId({ pk, sk }),
    key: { pk, sk },
    source: main.source?.S ?? (bar === -1 ? pk : pk.slice(0, bar)),
    shardId: main.shardId?.S ?? (bar === -1 || bar === pk.length - 1 ? undefined : pk.slice(bar + 1)),
    sequenceNumber: main.seq?.S ?? sk,
    eventId: main.eventId?.S || undefined,
    code: main.code?.S ?? 'UNKNOWN',
    reason: main.reason?.S ?? '',
    at: Number(main.at?.N ?? 0),
    record,
    pendingRows: body.pendingRows,
    deltas: body.deltas,
    truncated: main.truncated?.BOOL === true,
    ...(unreadable === undefined ? {} : { unreadable }),
    replayedAt: main.replayedAt?.N === undefined ? undefined : Number(main.replayedAt.N),
    replayedChunks: main.replayedChunks?.SS ?? [],
    replayPlan: main.replayPlan?.S,
    baseBytes: itemSizeBytes(
      Object.fromEntries(Object.entries(main).filter(([name]) => !REPLAY_WRITTEN.includes(name))),
    ),
  };
}

type LetterBody = {
  record?: DynamoDBRecord | null;
  pendingRows?: DeadLetterRow[];
  deltas?: DeadLetterDelta[];
};

/**
 * A stored letter's body (record, pending rows, deltas) from its main item and parts; `unreadable` says why not when
 * a part is missing or the body does not decompress to a letter's JSON (one such letter must not stop the reading of
 * every other: listing, replay and drop read the whole table).
 */
function readBody(
  main: Item,
  parts: readonly Item[],
): { body: LetterBody; record: DynamoDBRecord | undefined; unreadable?: string } {
  const expected = Number(main.parts?.N ?? 0);
  if (main.body?.B === undefined && expected > 0 && parts.length < expected)
    return {
      body: {},
      record: undefined,
      unreadable: `${expected - parts.length} of its ${expected} part items are gone (expired, or deleted by a drop)`,
    };
  try {
    const z =
      main.body?.B ??
      (parts.length > 0 ? Buffer.concat(parts.map((p) => p.body?.B ?? new Uint8Array())) : undefined);
    let body: LetterBody = {};
    let record: DynamoDBRecord | undefined;
    if (z !== undefined) body = JSON.parse(gunzipSync(z).toString('utf8')) as LetterBody;
    else if (main.record?.S !== undefined) record = JSON.parse(main.record.S); // written before compression
    if (body === null || typeof body !== 'object') throw new Error('the body is not a letter');
    record ??= body.record ?? undefined;
    return { body, record };
  } catch (e) {
    return {
      body: {},
      record: undefined,
      unreadable: `its body cannot be read (${(e as Error)?.message ?? e})`,
    };
  }
}
