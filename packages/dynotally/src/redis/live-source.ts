import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import type { RollupLike } from '../apply/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { addNum, type Num, parseNum } from '../numbers/index.ts';
import {
  addPendingBuckets,
  type LiveSnapshot as QueryLiveSnapshot,
  type LiveSource as QueryLiveSource,
} from '../query/live-source.ts';
import { type BufferKeyOptions, bucketKeysOptions } from './buffer-options.ts';
import { parseFlushMarker } from './flush-marker.ts';
import { bucketMarker, cellField, FLUSH_MARKER_ATTR, parseCellField, rankKey } from './keys.ts';
import { flushWrites, inFlushWrites } from './live-parts.ts';
import { redisCall } from './lua-script.ts';
import { flushedCell } from './row-parts.ts';
import { READ_ALL_SCRIPT, READ_RANKED_SCRIPT, READ_SCRIPT } from './scripts.ts';

/**
 * Live (not yet flushed) cells read from the buffer in one atomic snapshot: the query client's
 * {@link QueryLiveSnapshot} plus the buckets it covers. Take the snapshot BEFORE reading the DynamoDB rows it is
 * merged into; then for each row pass the row's flush marker (its `_fb` attribute, or undefined when the row does
 * not exist): a bucket the row has already absorbed is skipped, any other is added. So every bucket is counted
 * once — from Redis or from DynamoDB — also while a flush is in progress.
 *
 * @example
 * ```ts
 * const live = await source.read([pk]);
 * const items = await queryRows(pk); // after the snapshot
 * const merged = items.map((item) => withLive(live, item)); // or live.pending(pk, sk, item._fb?.S)
 * ```
 */
export interface LiveSnapshot extends QueryLiveSnapshot {
  pks(): string[];
  sortKeys(pk: string): string[];
  pending(pk: string, sk: string, marker: string | undefined): Map<string, Num>;
  pendingByBucket(pk: string, sk: string, marker: string | undefined): Map<string, Num>[];
  /** Bucket starts (epoch ms) in the snapshot, oldest first. */
  buckets(): number[];
}

/**
 * The query client's {@link QueryLiveSource} seam implemented by the Redis buffer: live cells of some groups,
 * live ranked deltas of a leaderboard row (`{ <storeAs>: d, lbv: d }` per group), and every live cell.
 *
 * @example
 * ```ts
 * const query = createQueryClient({ client, table, rollups, liveSource: createRedisLiveSource({ redis, rollups }) });
 * ```
 */
export interface LiveSource extends QueryLiveSource {
  read(pks: readonly string[]): Promise<LiveSnapshot>;
  readRanked(rollup: string, sk: string): Promise<LiveSnapshot>;
  /** Every live cell (diagnostics, tests, the CLI). */
  readAll(): Promise<LiveSnapshot>;
}

/**
 * Options of {@link createRedisLiveSource}.
 *
 * @example
 * ```ts
 * const options: RedisLiveSourceOptions = { redis, rollups: [storeMetrics] };
 * ```
 */
export interface RedisLiveSourceOptions extends BufferKeyOptions {
  /** Your ioredis client; never closed. */
  redis: Redis;
  /**
   * The flusher's rollups, every one: they name a leaderboard's ranked attribute, and cut each buffered row as the
   * flush writes it. A row of a rollup not given is read with nothing live (the flusher would letter it whole:
   * `placeRow`), silently, so a rollup left out here loses its live deltas in every read (review s44y).
   */
  rollups: readonly RollupLike[];
  /** Redis timeout per read; default 2,000 ms. */
  redisTimeoutMs?: number;
}

type Cells = Map<string, Map<string, Map<number, string>>>; // pk → field → bucket → value
/** A snapshot script's reply: the seal in force ('' when Redis has none), the epoch, `{bucket, cells}` per bucket. */
type SnapshotReply = [string, string, Array<[string, string[]]>];
/** What a snapshot knows of the seal moves: the seal in force when it was taken (if any) and the epoch. */
interface MoveContext {
  readonly seal: number | undefined;
  readonly epoch: string | undefined;
}

/**
 * The {@link LiveSource} of a Redis buffer.
 *
 * @example
 * ```ts
 * const source = createRedisLiveSource({ redis, rollups: [storeMetrics] });
 * const live = await source.read(['store#ss-1']);
 * live.pending('store#ss-1', 'M2026-11', item?._fb?.S); // Map { 'orders' => 3, 'orders_22' => 3 }
 * ```
 */
export function createRedisLiveSource(options: RedisLiveSourceOptions): LiveSource {
  const { keyPrefix, keyTtlMs } = bucketKeysOptions(options);
  const ttl = String(keyTtlMs);
  const timeout = options.redisTimeoutMs ?? 2_000;
  const ranked = new Map<string, string>();
  const byName = new Map<string, CompiledRollup>();
  // each bucket's row cut as the flush writes it, in parts when too wide for one write (review s43r)
  const writesOf: WritesOf = (pk, sk, cells) => flushWrites(byName, pk, sk, cells);
  for (const r of options.rollups) {
    const c = 'compiled' in r ? r.compiled : r;
    byName.set(c.name, c);
    const lb = c.leaderboard;
    const storeAs = lb === undefined ? undefined : c.measures.find((m) => m.name === lb.measure)?.storeAs;
    if (storeAs !== undefined) ranked.set(c.name, storeAs);
  }
  return {
    markerAttribute: FLUSH_MARKER_ATTR,
    async read(pks) {
      if (pks.length === 0) return snapshotOf(new Map(), undefined, undefined);
      const [seal, epoch, out] = (await redisCall(
        READ_SCRIPT.run(options.redis, [], [keyPrefix, ttl, ...pks]),
        timeout,
        'read live buckets',
      )) as SnapshotReply;
      const cells: Cells = new Map();
      for (const [b, flat] of out) {
        for (let i = 0; i < flat.length; i += 3)
          put(
            cells,
            pks[Number(flat[i]) - 1] as string,
            flat[i + 1] as string,
            Number(b),
            flat[i + 2] as string,
          );
      }
      return snapshotOf(cells, seal, epoch, writesOf);
    },
    async readRanked(rollup, sk) {
      const storeAs = ranked.get(rollup);
      if (storeAs === undefined) {
        throw new DynotallyError(
          'LEADERBOARD_NOT_CONFIGURED',
          `rollup '${rollup}' has no leaderboard: give the live source the rollup with its leaderboard`,
          {
            details: { rollup },
          },
        );
      }
      const [seal, epoch, out] = (await redisCall(
        READ_RANKED_SCRIPT.run(options.redis, [], [keyPrefix, ttl, rankKey(rollup, sk)]),
        timeout,
        'read live leaderboard deltas',
      )) as SnapshotReply;
      const cells: Cells = new Map();
      for (const [b, flat] of out) {
        for (let i = 0; i < flat.length; i += 2) {
          put(cells, flat[i] as string, cellField(sk, storeAs), Number(b), flat[i + 1] as string);
          put(cells, flat[i] as string, cellField(sk, 'lbv'), Number(b), flat[i + 1] as string);
        }
      }
      return snapshotOf(cells, seal, epoch);
    },
    async readAll() {
      const [seal, epoch, out] = (await redisCall(
        READ_ALL_SCRIPT.run(options.redis, [], [keyPrefix, ttl]),
        timeout * 5,
        'read every live bucket',
      )) as SnapshotReply;
      const cells: Cells = new Map();
      for (const [b, flat] of out) {
        for (let i = 0; i < flat.length; i += 3)
          put(cells, flat[i] as string, flat[i + 1] as string, Number(b), flat[i + 2] as string);
      }
      return snapshotOf(cells, seal, epoch, writesOf);
    },
  };
}

function put(cells: Cells, pk: string, field: string, bucket: number, value: string): void {
  let byField = cells.get(pk);
  if (byField === undefined) {
    byField = new Map();
    cells.set(pk, byField);
  }
  let byBucket = byField.get(field);
  if (byBucket === undefined) {
    byBucket = new Map();
    byField.set(field, byBucket);
  }
  byBucket.set(bucket, value);
}

/**
 * Whether a row read with flush marker `marker` holds the cells of `attr` of snapshot bucket `bucket`. Either the
 * marker is at or past the bucket ({@link flushedCell}), or it carries a seal move (`^<move>@<epoch>`,
 * flush-marker.ts) made *after the snapshot* and the row holds that move's bucket. A move made after the snapshot
 * took every bucket then open, which includes every snapshot bucket above the snapshot's seal that was not flushed
 * under its own name or moved by an earlier move after the snapshot; the row, at or past the move's bucket, holds
 * them all (buckets are flushed strictly in order). Buckets at or below the snapshot's seal were closed already:
 * never moved, and below the move anyway. A move was made after the snapshot when it is of the snapshot's epoch
 * (Redis kept its keys in between) and lies above the snapshot's seal (a move sets the seal to its bucket, the
 * seal only grows, and with no seal at the snapshot no move of that epoch came before it).
 */
function absorbedBy(marker: string | undefined, bucket: number, attr: string, ctx: MoveContext): boolean {
  if (flushedCell(marker, bucketMarker(bucket), attr)) return true;
  if (marker === undefined || ctx.epoch === undefined) return false;
  const { move, epoch } = parseFlushMarker(marker);
  if (move === undefined || epoch !== ctx.epoch) return false;
  return (ctx.seal === undefined || Number(move) > ctx.seal) && flushedCell(marker, move, attr);
}

/**
 * The attribute names of each write the flush makes of a row's cells of one bucket ({@link flushWrites}; `undefined`:
 * none, the flusher letters the row whole).
 */
type WritesOf = (pk: string, sk: string, cells: ReadonlyMap<string, Num>) => string[][] | undefined;

/** Every cell of row `sk` (fields `<sk>|<attr>` of `byField`) in snapshot bucket `bucket`, held ones too. */
function bucketCells(
  byField: Map<string, Map<number, string>>,
  prefix: string,
  bucket: number,
): Map<string, Num> {
  const out = new Map<string, Num>();
  for (const [field, byBucket] of byField) {
    const value = byBucket.get(bucket);
    if (field.startsWith(prefix) && value !== undefined) out.set(field.slice(prefix.length), parseNum(value));
  }
  return out;
}

function snapshotOf(
  cells: Cells,
  sealReply: string | undefined,
  epoch: string | undefined,
  writesOf?: WritesOf,
): LiveSnapshot {
  const ctx: MoveContext = {
    seal: sealReply === undefined || sealReply === '' ? undefined : Number(sealReply),
    epoch,
  };
  /** Each cell of row (`pk`, `sk`) that a row read with flush marker `marker` has not absorbed, field by field. */
  const unabsorbed = (
    pk: string,
    sk: string,
    marker: string | undefined,
    visit: (attr: string, bucket: number, value: string) => void,
  ): void => {
    const byField = cells.get(pk);
    if (byField === undefined) return;
    const prefix = `${sk}|`;
    for (const [field, byBucket] of byField) {
      if (!field.startsWith(prefix)) continue;
      const attr = field.slice(prefix.length);
      for (const [bucket, value] of byBucket)
        if (!absorbedBy(marker, bucket, attr, ctx)) visit(attr, bucket, value); // else already in the stored row
    }
  };
  return {
    pks: () => [...cells.keys()],
    sortKeys(pk) {
      const sks = new Set<string>();
      for (const field of cells.get(pk)?.keys() ?? []) sks.add(parseCellField(field).sk);
      return [...sks].sort();
    },
    pendingByBucket(pk, sk, marker) {
      const byStart = new Map<number, Map<string, Num>>();
      unabsorbed(pk, sk, marker, (attr, bucket, value) => {
        let deltas = byStart.get(bucket);
        if (deltas === undefined) {
          deltas = new Map();
          byStart.set(bucket, deltas);
        }
        deltas.set(attr, parseNum(value));
      });
      // buckets are flushed strictly in order, each row of a bucket in its own write, or its own parts
      const order = [...byStart.keys()].sort((x, y) => x - y);
      const byField = cells.get(pk);
      if (writesOf === undefined || byField === undefined)
        return order.map((b) => byStart.get(b) as Map<string, Num>);
      return order.flatMap((b) =>
        inFlushWrites(byStart.get(b) as Map<string, Num>, bucketCells(byField, `${sk}|`, b), (c) =>
          writesOf(pk, sk, c),
        ),
      );
    },
    pending(pk, sk, marker) {
      const out = new Map<string, Num>();
      unabsorbed(pk, sk, marker, (attr, _bucket, value) =>
        out.set(attr, addNum(out.get(attr) ?? 0, parseNum(value))),
      );
      return out;
    },
    buckets() {
      const all = new Set<number>();
      for (const byField of cells.values())
        for (const byBucket of byField.values()) for (const b of byBucket.keys()) all.add(b);
      return [...all].sort((a, b) => a - b);
    },
  };
}

/**
 * A stored row (DynamoDB JSON) with the live deltas added, exactly, bucket by bucket as the flush writes them (a
 * bucket's row, or the part of a row too wide for one write, that would not fit a DynamoDB number is left out
 * whole: the flush dead-letters it as `ROW_REJECTED`);
 * a row missing in DynamoDB is passed as `{ pk, sk }`. Attributes of measures stay numbers (`N`); the flush marker
 * and everything else is kept.
 *
 * @example
 * ```ts
 * const merged = withLive(live, item ?? { pk: { S: pk }, sk: { S: sk } });
 * ```
 */
export function withLive(
  live: LiveSnapshot,
  item: Readonly<Record<string, AttributeValue>>,
): Record<string, AttributeValue> {
  const pk = item.pk?.S;
  const sk = item.sk?.S;
  if (pk === undefined || sk === undefined) return { ...item };
  const out: Record<string, AttributeValue> = { ...item };
  addPendingBuckets(out, live.pendingByBucket(pk, sk, item[FLUSH_MARKER_ATTR]?.S));
  return out;
}
