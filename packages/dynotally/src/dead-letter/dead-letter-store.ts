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
import { decodeLetter, letterId, partKeys, type StoredDeadLetter } from './letter-item.ts';
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
 * Options of {@link listDeadLetters}.
 *
 * @example
 * ```ts
 * const options: ListDeadLettersOptions = { client, table: 'dynotally-dead-letters', replayed: false };
 * ```
 */
export interface ListDeadLettersOptions extends DeadLetterTable {
  /** `false`: only letters still to replay; `true`: only replayed ones; absent: all. */
  readonly replayed?: boolean | undefined;
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
 * Every dead letter in the table (a consistent scan; part items are joined to their letter), oldest first. The
 * tombstones of dropped letters ({@link dropDeadLetters}) are no letters and are left out.
 *
 * @example
 * ```ts
 * for (const l of await listDeadLetters({ client, table: 'dynotally-dead-letters', replayed: false }))
 *   console.log(l.id, l.code, l.reason);
 * ```
 */
export async function listDeadLetters(options: ListDeadLettersOptions): Promise<StoredDeadLetter[]> {
  const out: StoredDeadLetter[] = [];
  for (const main of await scanLetterItems(options)) {
    const letter = decodeLetter(main, await readParts(options, main));
    if (options.replayed !== undefined && options.replayed !== (letter.replayedAt !== undefined)) continue;
    out.push(letter);
  }
  return out.sort(byTimeThenStream);
}

/** The main item of every letter (a consistent scan; parts and tombstones left out), not decoded. */
async function scanLetterItems(store: DeadLetterTable): Promise<Item[]> {
  const mains: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await withRetry(() =>
      store.client.send(
        new ScanCommand({
          TableName: store.table,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          FilterExpression: 'attribute_not_exists(partOf) AND attribute_not_exists(#d)',
          ExpressionAttributeNames: { '#d': DROPPED_ATTR },
        }),
      ),
    );
    mains.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return mains;
}

/**
 * The letters with the given ids, decoded with their parts; the others are not read further (a table of large
 * letters is not read whole to show one: review s41e). Ids not found are absent from the map.
 */
async function lettersById(
  store: DeadLetterTable,
  ids: readonly string[],
): Promise<Map<string, StoredDeadLetter>> {
  const wanted = new Set(ids);
  const out = new Map<string, StoredDeadLetter>();
  for (const main of await scanLetterItems(store)) {
    const id = letterId({ pk: main.pk?.S ?? '', sk: main.sk?.S ?? '' });
    if (wanted.has(id) && !out.has(id)) out.set(id, decodeLetter(main, await readParts(store, main)));
  }
  return out;
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
 * throws `DEAD_LETTER_NOT_FOUND` naming the ids that are not in the table.
 *
 * @example
 * ```ts
 * const [letter] = await getDeadLetters({ client, table: 'dynotally-dead-letters' }, ['9f3c0a1b2c3d4e5f']);
 * ```
 */
export async function getDeadLetters(
  store: DeadLetterTable,
  ids: readonly string[],
): Promise<StoredDeadLetter[]> {
  const byId = await lettersById(store, ids);
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0)
    throw new DynotallyError(
      'DEAD_LETTER_NOT_FOUND',
      `no dead letter ${missing.join(', ')} in '${store.table}': list them with \`dynotally dead-letters list\` (a dropped or expired letter is gone)`,
      { details: { ids: missing, table: store.table } },
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
  options: { force?: boolean } = {},
): Promise<Array<{ id: string; outcome: DropOutcome }>> {
  const all = await lettersById(store, ids);
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
